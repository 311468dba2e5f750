"""A house's criteria: the questions a registrant answers about a case, and the rule that
combines them into "this case fits the house" (issue #15).

A house file states them under ``criteria:`` (``vhcore.house``); a house without its own gets
the national rule (``NATIONAL``). The criteria page, the form and its script, the API's
validation with its Dutch messages, and the staff view all read them from here. Questions are
numbered in the order of the file, as the form shows them; a message names a criterion by
that number.

A question is answered by ticking it (yes) or leaving it (no); ``meets`` says which answer
counts as meeting it. The rule is ``all``, ``any``, or a small tree of both, e.g.
``{all: [a, b, {any: [c, d]}]}``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from itertools import product
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

MAX_QUESTIONS = 6  # the form's script gets a message for every combination: 2^6 at most
MAX_DEPTH = 3  # all/any nested at most this deep
EXPLAIN = "Leg uit waarom u de casus toch aanmeldt."

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Question(_Strict):
    """One criterion as the registrant is asked it."""

    id: Slug = Field(description="Stored with each registration: never reuse an id.")
    label: Label = Field(description="A short name: the heading on the criteria page.")
    question: Text = Field(description="The question or statement the registrant ticks.")
    help: Text | None = Field(default=None, description="A hint under the question.")
    meets: Literal["ja", "nee"] = Field(
        default="ja", description="The answer that meets the criterion: ticked (ja) or not."
    )

    def met(self, ticked: Collection[str]) -> bool:
        return (self.id in ticked) == (self.meets == "ja")


class All(_Strict):
    all: list[Node] = Field(min_length=1, max_length=MAX_QUESTIONS)


class Any_(_Strict):  # noqa: N801 - "any" is a builtin; the file's key is ``any``
    any: list[Node] = Field(min_length=1, max_length=MAX_QUESTIONS)


Node = Slug | All | Any_
All.model_rebuild()
Any_.model_rebuild()


def _children(node: All | Any_) -> list[Node]:
    return node.all if isinstance(node, All) else node.any


def _ids(node: Node) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    else:
        for child in node.all if isinstance(node, All) else node.any:
            yield from _ids(child)


def _depth(node: Node) -> int:
    if isinstance(node, str):
        return 0
    children = node.all if isinstance(node, All) else node.any
    return 1 + max(_depth(child) for child in children)


class Criteria(_Strict):
    """The questions asked now, the rule over them, and questions no longer asked (so that
    older registrations, which store the ids they were asked, still read)."""

    questions: list[Question] = Field(min_length=1, max_length=MAX_QUESTIONS)
    rule: Literal["all", "any"] | All | Any_ = Field(
        default="all",
        description="all, any, or a tree such as {all: [a, b, {any: [c, d]}]} of question ids.",
    )
    retired: list[Question] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _rule_names_the_questions(self) -> Self:
        ids = [q.id for q in self.questions]
        every = ids + [q.id for q in self.retired]
        duplicates = sorted({i for i in every if every.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate question id(s) {', '.join(duplicates)}")
        if isinstance(self.rule, str):
            return self
        named = list(_ids(self.rule))
        unknown = sorted(set(named) - set(ids))
        if unknown:
            raise ValueError(f"rule: unknown question id(s) {', '.join(unknown)}")
        unused = [i for i in ids if i not in named]
        if unused:
            raise ValueError(f"rule: question(s) {', '.join(unused)} not in the rule")
        twice = sorted({i for i in named if named.count(i) > 1})
        if twice:
            raise ValueError(f"rule: question(s) {', '.join(twice)} named more than once")
        if _depth(self.rule) > MAX_DEPTH:
            raise ValueError(f"rule: nested deeper than {MAX_DEPTH}")
        return self

    @property
    def tree(self) -> All | Any_:
        """The rule as a tree, ``all``/``any`` spelt out."""
        if self.rule == "all":
            return All(all=[q.id for q in self.questions])
        if self.rule == "any":
            return Any_(any=[q.id for q in self.questions])
        return self.rule

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.questions]

    def number(self, question_id: str) -> int:
        return self.ids.index(question_id) + 1

    def question(self, question_id: str) -> Question:
        for question in (*self.questions, *self.retired):
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def met(self, ticked: Collection[str]) -> bool:
        return self._met(self.tree, ticked)

    def _met(self, node: Node, ticked: Collection[str]) -> bool:
        if isinstance(node, str):
            return self.question(node).met(ticked)
        if isinstance(node, All):
            return all(self._met(child, ticked) for child in node.all)
        return any(self._met(child, ticked) for child in node.any)

    # --- In Dutch -----------------------------------------------------------------------

    def _number(self, question_id: str) -> str:
        number = str(self.number(question_id))
        return number if self.question(question_id).meets == "ja" else f"{number} (met 'nee')"

    def _rule(self, node: Node, nested: bool) -> str:
        """By number: '3', '3 of 4', '(1 én 2) of 3'."""
        if isinstance(node, str):
            return self._number(node)
        children, word = (node.all, " én ") if isinstance(node, All) else (node.any, " of ")
        if len(children) == 1:
            return self._rule(children[0], nested)
        text = word.join(self._rule(child, nested=True) for child in children)
        return f"({text})" if nested else text

    def dutch_rule(self) -> str:
        """The rule in words, by criterion number: '1 én 2 én (3 of 4)'."""
        return self._rule(self.tree, nested=False)

    def _named(self, node: Node) -> str:
        """'criterium 3', 'criterium 3 of 4', 'criteria 1 én 2, of criterium 3'."""
        if isinstance(node, str):
            return f"criterium {self._number(node)}"
        children = _children(node)
        if all(isinstance(child, str) for child in children):
            noun = "criteria" if isinstance(node, All) else "criterium"
            return f"{noun} {self._rule(node, nested=False)}"
        word = ", én " if isinstance(node, All) else ", of "
        return word.join(self._named(child) for child in children)

    def _missing(self, node: Node, ticked: Collection[str]) -> list[str]:
        if self._met(node, ticked):
            return []
        if isinstance(node, All):
            return [part for child in node.all for part in self._missing(child, ticked)]
        return [self._named(node)]

    def unmet(self, ticked: Collection[str]) -> str:
        """What is not met, in Dutch, or '' when the rule is met."""
        parts = self._missing(self.tree, ticked)
        if not parts:
            return ""
        return f"Volgens uw antwoorden klopt dit niet: {'; '.join(parts)}."

    def outcomes(self) -> dict[str, str]:
        """``unmet`` for every combination of ticked questions, keyed as the form's script
        reads the boxes: '1' for ticked, '0' for not, in the order of the questions."""
        found = {}
        for answers in product("01", repeat=len(self.questions)):
            ticked = {q.id for q, a in zip(self.questions, answers, strict=True) if a == "1"}
            found["".join(answers)] = self.unmet(ticked)
        return found

    def json_schema(self) -> dict[str, Any]:
        """The rule as JSON schema over the ``criteria`` array (the ids ticked)."""

        def node_schema(node: Node) -> dict[str, Any]:
            if isinstance(node, str):
                contains = {"contains": {"const": node}}
                return contains if self.question(node).meets == "ja" else {"not": contains}
            children = [
                node_schema(child) for child in (node.all if isinstance(node, All) else node.any)
            ]
            return {"allOf" if isinstance(node, All) else "anyOf": children}

        schema: dict[str, Any] = {"properties": {"criteria": node_schema(self.tree)}}
        if not self.met(()):
            schema["required"] = ["criteria"]  # absent means nothing ticked
        return schema


# The national framework (landelijk kader): (1 and 2) and (3 or 4).
NATIONAL = Criteria(
    questions=[
        Question(
            id="meerdere-leefgebieden",
            label="Problemen op meer dan één leefgebied",
            question=(
                "Er zijn meerdere problemen op meer dan één leefgebied. Die leiden (naar "
                "verwachting) tot crimineel of overlastgevend gedrag, of tot verder afglijden."
            ),
        ),
        Question(
            id="meerdere-ketens",
            label="Samenwerking tussen ketens is nodig",
            question=(
                "Samenwerking tussen meerdere ketens (minimaal zorg en veiligheid) is nodig. "
                "Binnen één keten lukt het niet om de problemen goed aan te pakken."
            ),
        ),
        Question(
            id="gezin-en-omgeving",
            label="Het gezin of de omgeving speelt mee",
            question=(
                "De problemen worden beïnvloed door het gezin of de directe omgeving, en hebben "
                "daar invloed op (of dat wordt verwacht)."
            ),
        ),
        Question(
            id="lokale-veiligheid",
            label="Ernstige veiligheidsproblemen in de buurt",
            question=(
                "Er is een ernstig veiligheidsprobleem in de buurt of het gebied, dat een aanpak "
                "over de ketens heen vraagt."
            ),
        ),
    ],
    rule=All(
        all=[
            "meerdere-leefgebieden",
            "meerdere-ketens",
            Any_(any=["gezin-en-omgeving", "lokale-veiligheid"]),
        ]
    ),
)
