"""Prompt compilation: templates, keep clauses and the reference sentences."""

from __future__ import annotations

from lumaflow.prompts import compile_prompt
from lumaflow.recipe import Binding, Step
from lumaflow.text import Span

SPAN = Span(line=1, column=1, end_line=1, end_column=2)


def step(**fields: object) -> Step:
    return Step.model_validate({"span": SPAN, **fields})


def test_user_text_is_ended_before_the_next_sentence() -> None:
    prompt = compile_prompt(step(kind="edit", text="paint the car red", keep="the logo"))
    assert prompt == "paint the car red. Keep the logo unchanged."


def test_text_that_already_ends_a_sentence_is_left_alone() -> None:
    assert compile_prompt(step(kind="generate", text="A red car!")) == "A red car!"


def test_reference_sentences_follow_binding_order_and_roles() -> None:
    bindings = (
        Binding(ref="beach", role="lighting", span=SPAN),
        Binding(ref="film", role=None, span=SPAN),
    )
    prompt = compile_prompt(step(kind="lighting", text="warm sun", bindings=bindings))
    assert prompt == (
        "Change the lighting to warm sun. Keep everything else unchanged. "
        "Use reference image 1 (beach) only for its lighting. "
        "Reference image 2 (film) may guide the result."
    )


def test_prompt_override_replaces_the_template_but_keeps_references() -> None:
    bindings = (Binding(ref="logo", role="logo", span=SPAN),)
    prompt = compile_prompt(step(kind="background", text="a beach", prompt="Do exactly this",
                                 bindings=bindings))
    assert prompt == "Do exactly this. Use reference image 1 (logo) only for its logo."
