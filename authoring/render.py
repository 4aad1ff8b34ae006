"""Sample slot values and render a task's Jinja2 templates.

Templates run in Jinja2's sandbox with ``StrictUndefined``: a misspelt variable is an error that
names the file, line and variable, never an empty string. Names are checked once, when the
:class:`Renderer` is built, so most typos surface before the first example is drawn.
"""

from __future__ import annotations

import random
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import SandboxedEnvironment

from authoring.errors import Location, SpecError, TemplateError
from authoring.spec import Slot, TaskSpec, Text

# How often a slot with `exclude` is redrawn before the draw is given up as impossible.
_EXCLUDE_TRIES = 64


@dataclass(frozen=True)
class Rendered:
    """The texts one slot draw renders to (before few-shot and class shuffling)."""

    prompt: str
    other_prompt: str | None
    completion: str | None
    classes: tuple[str, ...] | None
    answer_index: int | None


class Renderer:
    """Compiles a spec's templates once, then draws slots and renders examples.

    Args:
        spec: A loaded task.

    Raises:
        TemplateError: a template does not parse, or uses a name that is not a slot defined
            before it.
    """

    def __init__(self, spec: TaskSpec):
        from faker import Factory

        self.spec = spec
        self.env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
        self._compiled: dict[int, Any] = {}
        slot_names = [s.name for s in spec.slots]
        for slot in spec.slots:
            if slot.name in BUILTIN_NAMES:
                raise TemplateError(
                    f"'{slot.name}' is a built-in variable and cannot be a slot name",
                    where=Location(spec.yaml_path, line=slot.line, key=f"slots.{slot.name}"),
                    fix="rename the slot",
                )
        # Choice values that contain Jinja are templates over the earlier slots.
        self._choice_texts: dict[str, dict[str, Text]] = {}
        for position, slot in enumerate(spec.slots):
            earlier = {*slot_names[:position], *BUILTIN_NAMES}
            if slot.text is not None:
                self._compile(slot.text, earlier)
            if slot.kind == "choice":
                texts = {
                    value: Text(
                        value, spec.yaml_path, f"slots.{slot.name}.choice[{i}]", slot.line or 1
                    )
                    for i, value in enumerate(slot.values)
                    if isinstance(value, str) and ("{{" in value or "{%" in value)
                }
                for text in texts.values():
                    self._compile(text, earlier)
                if texts:
                    self._choice_texts[slot.name] = texts
            for text in slot.exclude:
                self._compile(text, earlier)
        everything = {*slot_names, *BUILTIN_NAMES}
        outputs = [spec.prompt, *spec.classes, *spec.require]
        outputs += [t for t in (spec.other_prompt, spec.completion) if t is not None]
        if isinstance(spec.answer_index, Text):
            outputs.append(spec.answer_index)
        for text in outputs:
            self._compile(text, everything)
        # The text each candidate is compared by in `exclude`, computed once.
        self._displays = {s.name: tuple(map(display, s.values)) for s in spec.slots if s.values}
        # One Faker generator for the whole run; each draw swaps in that draw's own
        # random.Random, so values depend only on (seed, index) and not on earlier draws.
        self.faker = Factory.create(spec.locale)

    def used_slots(self) -> set[str]:
        """Slots that reach the output texts, directly or through template slots and excludes."""
        direct: set[str] = set()
        outputs = [self.spec.prompt, *self.spec.classes]
        outputs += [t for t in (self.spec.other_prompt, self.spec.completion) if t is not None]
        if isinstance(self.spec.answer_index, Text):
            outputs.append(self.spec.answer_index)
        for text in outputs:
            direct |= self._names(text)
        by_name = {s.name: s for s in self.spec.slots}
        used, stack = set(), list(direct)
        while stack:
            name = stack.pop()
            if name in used or name not in by_name:
                continue
            used.add(name)
            slot = by_name[name]
            texts = ([slot.text] if slot.text else []) + list(slot.exclude)
            texts += list(self._choice_texts.get(name, {}).values())
            for text in texts:
                stack.extend(self._names(text))
        return used

    # -- drawing ---------------------------------------------------------------------------

    def draw(self, rng: random.Random, *, is_shot: bool = False) -> dict[str, Any] | None:
        """Sample every slot in order. Returns None when an ``exclude`` cannot be satisfied.

        The result also holds the built-in ``is_shot`` (True while drawing a few-shot example),
        so templates and ``require`` can treat demonstrations differently from the question.
        """
        self.faker.random = rng
        values: dict[str, Any] = {"is_shot": is_shot}
        for slot in self.spec.slots:
            excluded = {self.render_text(t, values).strip() for t in slot.exclude}
            value = self._draw_slot(slot, rng, values, excluded)
            if value is _IMPOSSIBLE:
                return None
            templated = self._choice_texts.get(slot.name)
            if templated and isinstance(value, str) and value in templated:
                value = self.render_text(templated[value], values)
            values[slot.name] = value
        return values

    def allowed(self, values: Mapping[str, Any]) -> bool:
        """Whether every ``require`` expression is true for this draw."""
        return all(_truthy(self.render_text(t, values)) for t in self.spec.require)

    def render(self, values: Mapping[str, Any]) -> Rendered:
        """Render the output texts of one draw."""
        spec = self.spec
        classes = tuple(self.render_text(t, values) for t in spec.classes) or None
        answer: int | None
        if isinstance(spec.answer_index, Text):
            raw = self.render_text(spec.answer_index, values).strip()
            try:
                answer = int(raw)
            except ValueError:
                raise TemplateError(
                    f"answer_index rendered to '{raw}', not an integer",
                    where=_where(spec.answer_index),
                    fix="make the template print a 0-based class index",
                ) from None
        else:
            answer = spec.answer_index
        return Rendered(
            prompt=self.render_text(spec.prompt, values),
            other_prompt=self.render_text(spec.other_prompt, values) if spec.other_prompt else None,
            completion=self.render_text(spec.completion, values) if spec.completion else None,
            classes=classes,
            answer_index=answer,
        )

    def render_text(self, text: Text, values: Mapping[str, Any]) -> str:
        """Render one template with the slot values; errors name the template's file line."""
        template = self._compiled[id(text)]
        try:
            return str(template.render(values))
        except UndefinedError as exc:
            raise TemplateError(
                f"undefined in template '{text.key}': {exc.message}",
                where=_where(text, _template_line(exc, text)),
                fix="check the spelling of the variable or attribute (lexicon columns are "
                "attributes: row.column)",
            ) from None
        except TemplateError:
            raise
        except Exception as exc:  # arithmetic on a string, a filter given bad input, ...
            raise TemplateError(
                f"template '{text.key}' failed: {type(exc).__name__}: {exc}",
                where=_where(text, _template_line(exc, text)),
                fix="fix the expression on that line",
            ) from None

    # -- internals -------------------------------------------------------------------------

    def _compile(self, text: Text, known: set[str]) -> None:
        try:
            ast = self.env.parse(text.source)
            code = self.env.compile(
                ast, name=f"{text.path.name}:{text.key}", filename=_filename(text)
            )
            self._compiled[id(text)] = self.env.template_class.from_code(
                self.env, code, self.env.make_globals(None), None
            )
        except TemplateSyntaxError as exc:
            raise TemplateError(
                f"Jinja syntax error in '{text.key}': {exc.message}",
                where=_where(text, exc.lineno),
                fix="check that every {{ has a matching }} and every {% if %} an {% endif %}",
            ) from None
        unknown = sorted(meta.find_undeclared_variables(ast) - known - set(self.env.globals))
        if unknown:
            name = unknown[0]
            line = next((i for i, row in enumerate(text.source.splitlines(), 1) if name in row), 1)
            later = (
                " (it is defined later; slots may only use earlier slots)"
                if any(s.name == name for s in self.spec.slots)
                else ""
            )
            raise TemplateError(
                f"'{text.key}' uses undefined variable '{name}'{later}",
                where=_where(text, line),
                fix="define it under slots: (before this use) or fix the spelling; "
                f"known: {', '.join(sorted(known)) or 'no slots yet'}",
            )

    def _names(self, text: Text) -> set[str]:
        return set(meta.find_undeclared_variables(self.env.parse(text.source)))

    def _draw_slot(
        self, slot: Slot, rng: random.Random, values: Mapping[str, Any], excluded: set[str]
    ) -> Any:
        kind, params = slot.kind, slot.params
        if kind in ("lexicon", "choice"):
            candidates, weights = slot.values, params.get("weights")
            if excluded:
                shown = self._displays[slot.name]
                keep = [i for i, d in enumerate(shown) if d not in excluded]
                candidates = tuple(slot.values[i] for i in keep)
                weights = [weights[i] for i in keep] if weights else None
            if not candidates:
                return _IMPOSSIBLE
            if params.get("sample"):
                k = int(params["sample"])
                return rng.sample(candidates, k) if k <= len(candidates) else _IMPOSSIBLE
            if weights:
                return rng.choices(candidates, weights=weights)[0]
            return candidates[rng.randrange(len(candidates))]
        if kind == "template":
            assert slot.text is not None
            return self.render_text(slot.text, values)
        for _ in range(_EXCLUDE_TRIES):
            if kind == "int":
                value: Any = rng.randint(params["low"], params["high"])
            elif kind == "faker":
                value = getattr(self.faker, params["provider"])(**params["args"])
            else:
                value = self._call_hook(slot, rng, values)
            if display(value) not in excluded:
                return value
        return _IMPOSSIBLE

    def _call_hook(self, slot: Slot, rng: random.Random, values: Mapping[str, Any]) -> Any:
        assert slot.hook is not None
        kwargs = {k: v for k, v in slot.params.items() if k != "space"}
        try:
            return slot.hook(rng, dict(values), **kwargs)
        except Exception as exc:  # user code: report where it broke, not a traceback
            frames = [
                f
                for f in traceback.extract_tb(exc.__traceback__)
                if f.filename.endswith("hooks.py")
            ]
            line = frames[-1].lineno if frames else None
            raise SpecError(
                f"hook '{slot.params.get('hook', slot.hook.__name__)}' for slot '{slot.name}' "
                f"raised {type(exc).__name__}: {exc}",
                where=Location(self.spec.folder / "hooks.py", line=line),
                fix="hooks are called as fn(rng, slots, **params); fix the function",
            ) from None


_IMPOSSIBLE = object()
# Variables every template sees besides the slots.
BUILTIN_NAMES = ("is_shot",)


def display(value: Any) -> str:
    """The text a value is compared by in ``exclude``: a CSV row by its first column."""
    if isinstance(value, Mapping):
        return str(next(iter(value.values()), "")).strip()
    return str(value).strip()


def _truthy(text: str) -> bool:
    # What Jinja prints for a false expression: "False", "0", "None" or nothing.
    return text.strip().lower() not in ("", "false", "0", "none")


def _filename(text: Text) -> str:
    return f"<invscale:{id(text)}>"


def _template_line(exc: BaseException, text: Text) -> int | None:
    # Jinja rewrites tracebacks so that template frames carry template line numbers.
    name = _filename(text)
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == name]
    return lines[-1] if lines else None


def _where(text: Text, template_line: int | None = None) -> Location:
    line = text.first_line + (template_line - 1 if template_line else 0)
    return Location(text.path, line=line, key=text.key)
