"""Compile a step into the prompt the API receives.

The API restricts a reference image's influence only when the prompt names it, so
every bound reference gets one sentence naming it by position and label and
limiting it to its role. Wording lives here and nowhere else.
"""

from __future__ import annotations

from lumaflow.recipe import Binding, Step


def template(step: Step) -> str:
    """The sentence(s) for the step's kind, before `keep` and the reference sentences."""
    text = step.text or ""
    match step.kind:
        case "generate" | "edit":
            return text
        case "background":
            return f"Replace the background with {text}. Keep the subject unchanged."
        case "lighting":
            return f"Change the lighting to {text}. Keep everything else unchanged."
        case "style" if step.preset is not None:
            if step.preset == "auto":
                return "Redraw the image in a fitting style. Keep the composition."
            return f"Redraw the image in {step.preset} style. Keep the composition."
        case "style":
            return f"Restyle the image as {text}. Keep the composition."
        case "recolor":
            return f"Change {text} to {step.color}. Keep everything else unchanged."
    raise AssertionError(f"unknown step kind {step.kind!r}")


def reference_sentence(position: int, binding: Binding) -> str:
    """One sentence per reference; `position` is 1-based, the order of `image_ref`."""
    label = f"reference image {position} ({binding.ref})"
    if binding.role is None:
        return f"{label[0].upper()}{label[1:]} may guide the result."
    return f"Use {label} only for its {binding.role}."


def compile_prompt(step: Step) -> str:
    parts = [step.prompt if step.prompt is not None else template(step)]
    if step.keep is not None:
        parts.append(f"Keep {step.keep} unchanged.")
    parts.extend(reference_sentence(i, b) for i, b in enumerate(step.bindings, start=1))
    return " ".join(_sentence(p) for p in parts if p.strip())


def _sentence(text: str) -> str:
    """End user text with a full stop, so the next sentence does not run into it."""
    text = text.strip()
    return text if text[-1] in _FINAL_PUNCTUATION else f"{text}."


_FINAL_PUNCTUATION = frozenset(".!?;:…\"')»")
