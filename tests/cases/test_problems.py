"""Problems that name their field in the form's own words, from pydantic's errors."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator

from cases.problems import FieldProblem, InvalidInput, label_for, problems_from


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


class Pet(BaseModel):
    pet_name: str
    kind: Literal["cat", "dog"] = "cat"


class Form(BaseModel, extra="forbid"):
    full_name: str = Field(title="Your full name")
    date_of_birth: Any = None
    colour: Colour = Colour.RED
    pets: list[Pet] = []
    best_pet: Pet | None = None
    age: int = 0

    @field_validator("age")
    @classmethod
    def _age(cls, value: int) -> int:
        if value < 0:
            raise ValueError("cannot be negative")
        return value


def problems(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationError) as raised:
        Form.model_validate(data)
    return [(p.field, p.label, p.message) for p in problems_from(raised.value, Form)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, [("full_name", "Your full name", "is required")]),
        ({"full_name": "A", "colour": "blue"}, [("colour", "Colour", "must be one of 'red' or 'green'")]),
        (
            {"full_name": "A", "pets": [{"pet_name": "B", "kind": "eel"}]},
            [("pets.0.kind", "Kind", "must be one of 'cat' or 'dog'")],
        ),
        ({"full_name": "A", "pets": [{}]}, [("pets.0.pet_name", "Pet name", "is required")]),
        ({"full_name": "A", "best_pet": {}}, [("best_pet.pet_name", "Pet name", "is required")]),
        ({"full_name": "A", "age": -1}, [("age", "Age", "cannot be negative")]),
        (
            {"full_name": "A", "age": "x"},
            [("age", "Age", "Input should be a valid integer, unable to parse string as an integer")],
        ),
        ({"full_name": "A", "shoe": 1}, [("shoe", "shoe", "is not a field of this form")]),
    ],
)
def test_problems_name_the_field_in_words(data: dict[str, Any], expected: list[tuple[str, str, str]]) -> None:
    assert problems(data) == expected


@pytest.mark.parametrize(
    ("path", "label"),
    [
        (["full_name"], "Your full name"),
        (["date_of_birth"], "Date of birth"),
        (["pets", 0, "pet_name"], "Pet name"),
        (["best_pet", "kind"], "Kind"),
        (["nowhere", "deeper"], "nowhere.deeper"),
        ([], "Form"),
    ],
)
def test_label_for(path: list[str | int], label: str) -> None:
    assert label_for(Form, path) == label


def test_invalid_input_lists_every_problem() -> None:
    error = InvalidInput([FieldProblem("a.b", "A b", "is wrong"), FieldProblem("c", "C", "is missing")])
    assert str(error) == "A b (a.b): is wrong; C (c): is missing"
    assert [p.field for p in error.problems] == ["a.b", "c"]
