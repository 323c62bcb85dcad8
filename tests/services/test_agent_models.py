"""The agent models' documented patterns, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from agent_service.models import (
    Conversation,
    ConversationMemory,
    ConversationState,
    ExecutionContext,
    ExecutionStage,
    Message,
    MessageRole,
    Module,
    ModuleType,
    Persona,
)
from sqlalchemy.orm import Session

from tests.services.constraints import rejected_by_database

AI = "ctx.set_variable('reply', ctx.generate('Say hello'))"
NO_AI = "ctx.set_variable('time', ctx.get_current_time())"


def _count(session: Session, model: type[Any]) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _conversation(session: Session, user: Any, persona: Persona | None = None) -> Conversation:
    conversation = Conversation(title="Chat 1", user_id=user.id, persona=persona)
    session.add(conversation)
    session.flush()
    return conversation


def _module(
    name: str,
    context: ExecutionContext = ExecutionContext.POST_RESPONSE,
    script: str | None = NO_AI,
    **extra: Any,
) -> Module:
    return Module(
        name=name,
        type=ModuleType.ADVANCED if script is not None else ModuleType.SIMPLE,
        execution_context=context,
        script=script,
        **extra,
    )


def test_persona_creation(session: Session) -> None:
    persona = Persona(name="Assistant", template="You are @greeting_module")
    session.add(persona)
    session.commit()
    assert persona.id is not None
    assert persona.created_at is not None
    assert persona.mode == "reactive"
    assert persona.is_active is True


def test_conversation_messages_in_order(session: Session, user: Any) -> None:
    persona = Persona(name="Test", template="Test")
    conversation = _conversation(session, user, persona)
    session.add_all(
        [
            Message(conversation_id=conversation.id, role=MessageRole.USER, content="Hi"),
            Message(
                conversation_id=conversation.id,
                role=MessageRole.ASSISTANT,
                content="Hello!",
                thinking="User greeting detected",
                input_tokens=3,
                output_tokens=2,
                extra_data={"model": "llama3", "latency_ms": 120},
            ),
        ]
    )
    session.commit()
    session.expire_all()

    conversation = session.get_one(Conversation, conversation.id)
    assert [m.content for m in conversation.messages] == ["Hi", "Hello!"]
    assert conversation.messages[1].role is MessageRole.ASSISTANT
    assert conversation.messages[1].extra_data == {"model": "llama3", "latency_ms": 120}
    assert conversation.persona is not None
    assert conversation.persona.name == "Test"
    stored_role = session.scalar(
        sa.select(Message.__table__.c.role).where(Message.content == "Hello!")
    )
    assert stored_role == "assistant"


@pytest.mark.parametrize("how", ["orm", "sql"])
def test_persona_delete_cascades_to_conversations_and_messages(
    session: Session, user: Any, how: str
) -> None:
    persona = Persona(name="Doomed", template="@x")
    conversation = _conversation(session, user, persona)
    session.add(Message(conversation_id=conversation.id, role=MessageRole.USER, content="Hi"))
    other = _conversation(session, user)
    session.add(Message(conversation_id=other.id, role=MessageRole.USER, content="Kept"))
    session.commit()
    doomed_id, persona_id = conversation.id, persona.id

    if how == "orm":
        session.delete(persona)
    else:
        session.execute(sa.delete(Persona.__table__).where(Persona.__table__.c.id == persona_id))
    session.commit()
    session.expire_all()

    assert session.get(Conversation, doomed_id) is None
    assert session.scalars(sa.select(Conversation.id)).all() == [other.id]
    assert session.scalars(sa.select(Message.content)).all() == ["Kept"]


@pytest.mark.parametrize("how", ["orm", "sql"])
def test_conversation_delete_cascades_to_messages(session: Session, user: Any, how: str) -> None:
    conversation = _conversation(session, user)
    message = Message(conversation_id=conversation.id, role=MessageRole.USER, content="Test")
    session.add(message)
    session.commit()
    message_id = message.id

    if how == "orm":
        session.delete(conversation)
    else:
        session.execute(sa.delete(Conversation.__table__))
    session.commit()
    session.expire_all()

    assert session.get(Message, message_id) is None
    assert _count(session, Message) == 0


def test_deleting_the_user_deletes_their_conversations(session: Session, user: Any) -> None:
    from shared_service.models import User

    conversation = _conversation(session, user)
    session.add(Message(conversation_id=conversation.id, role=MessageRole.USER, content="Hi"))
    session.commit()
    user_id = user.id

    session.execute(sa.delete(User.__table__).where(User.__table__.c.id == user_id))
    session.commit()

    assert _count(session, Conversation) == 0
    assert _count(session, Message) == 0


def test_conversation_needs_an_existing_user(session: Session) -> None:
    session.add(Conversation(title="Orphan", user_id=uuid.uuid4()))
    with rejected_by_database():
        session.flush()


@pytest.mark.parametrize("how", ["orm", "sql"])
def test_module_delete_cascades_to_states(session: Session, how: str) -> None:
    module, kept = _module("tracker"), _module("other")
    session.add_all([module, kept])
    session.flush()
    conversation_id = uuid.uuid4()
    for stage in ("stage4", "stage5"):
        ConversationState.store_execution_result(
            session, conversation_id, module.id, stage, variables={"n": 1}
        )
    ConversationState.store_execution_result(
        session, conversation_id, kept.id, "stage4", variables={"n": 2}
    )
    session.commit()
    module_id, kept_id = module.id, kept.id

    if how == "orm":
        session.delete(module)
    else:
        session.execute(sa.delete(Module.__table__).where(Module.__table__.c.id == module_id))
    session.commit()
    session.expire_all()

    states = ConversationState.get_for_conversation(session, conversation_id).all()
    assert [(s.module_id, s.variables) for s in states] == [(kept_id, {"n": 2})]


def test_state_unique_per_conversation_module_and_stage(session: Session) -> None:
    module = _module("tracker")
    session.add(module)
    session.flush()
    conversation_id = uuid.uuid4()
    for _ in range(2):
        session.add(
            ConversationState(
                conversation_id=conversation_id,
                module_id=module.id,
                execution_stage="stage4",
                variables={},
            )
        )
    with rejected_by_database():
        session.flush()


def test_same_module_may_store_both_stages_and_other_conversations(session: Session) -> None:
    module = _module("tracker")
    session.add(module)
    session.flush()
    first, second = uuid.uuid4(), uuid.uuid4()
    ConversationState.store_execution_result(session, first, module.id, "stage4", variables={})
    ConversationState.store_execution_result(session, first, module.id, "stage5", variables={})
    ConversationState.store_execution_result(session, second, module.id, "stage4", variables={})
    session.commit()
    assert _count(session, ConversationState) == 3


@pytest.mark.parametrize("stage", ["stage3", "stage1", "STAGE4", ""])
def test_check_constraint_rejects_other_stages(session: Session, stage: str) -> None:
    module = _module("tracker")
    session.add(module)
    session.flush()
    with rejected_by_database():
        session.execute(
            sa.insert(ConversationState.__table__).values(
                id=uuid.uuid4(),
                conversation_id=uuid.uuid4(),
                module_id=module.id,
                execution_stage=stage,
                variables={},
                executed_at=sa.func.current_timestamp(),
                created_at=sa.func.current_timestamp(),
                updated_at=sa.func.current_timestamp(),
            )
        )


def test_store_execution_result_replaces_and_reads_back(session: Session) -> None:
    module = _module("counter")
    session.add(module)
    session.flush()
    conversation_id = uuid.uuid4()

    first = ConversationState.store_execution_result(
        session,
        conversation_id=conversation_id,
        module_id=module.id,
        execution_stage="stage4",
        variables={"count": 5, "status": "ready"},
        execution_metadata={"success": True, "duration_ms": 150},
    )
    session.commit()
    second = ConversationState.store_execution_result(
        session,
        conversation_id,
        module.id,
        ExecutionStage.STAGE4,
        variables={"count": 6},
    )
    session.commit()
    session.expire_all()

    assert second.id == first.id
    latest = ConversationState.get_latest_for_module(session, conversation_id, module.id)
    assert latest is not None
    assert latest.variables == {"count": 6}
    assert latest.execution_metadata is None
    assert latest.to_dict()["variables"] == {"count": 6}
    assert ConversationState.get_latest_for_module(session, uuid.uuid4(), module.id) is None


def test_latest_state_is_the_most_recent_stage(session: Session) -> None:
    module = _module("counter")
    session.add(module)
    session.flush()
    conversation_id = uuid.uuid4()
    ConversationState.store_execution_result(
        session, conversation_id, module.id, "stage5", variables={"from": "stage5"}
    )
    session.commit()
    ConversationState.store_execution_result(
        session, conversation_id, module.id, "stage4", variables={"from": "stage4"}
    )
    session.commit()

    latest = ConversationState.get_latest_for_module(session, conversation_id, module.id)
    assert latest is not None
    assert latest.variables == {"from": "stage4"}
    history = ConversationState.get_for_conversation(session, conversation_id).all()
    assert [s.execution_stage for s in history] == ["stage5", "stage4"]


def test_memory_sequence_numbering(session: Session) -> None:
    conversation_id, other_id = uuid.uuid4(), uuid.uuid4()
    assert ConversationMemory.get_next_sequence_number(session, conversation_id) == 1

    stored = [
        ConversationMemory.store_memory(
            session,
            conversation_id,
            f"summary {n}",
            message_range="25-35",
            message_count=35 + 10 * n,
            first_message_id=f"msg-{n}",
        )
        for n in range(1, 4)
    ]
    ConversationMemory.store_memory(session, other_id, "elsewhere")
    session.commit()

    assert [m.memory_sequence for m in stored] == [1, 2, 3]
    assert ConversationMemory.get_next_sequence_number(session, conversation_id) == 4
    assert ConversationMemory.get_next_sequence_number(session, other_id) == 2
    everything = ConversationMemory.get_for_conversation(session, conversation_id).all()
    assert [m.compressed_content for m in everything] == ["summary 1", "summary 2", "summary 3"]
    recent = ConversationMemory.get_recent_memories(session, conversation_id, limit=2)
    assert [m.memory_sequence for m in recent] == [2, 3]
    assert ConversationMemory.get_recent_memories(session, conversation_id, limit=0) == []
    assert stored[0].to_dict()["original_message_range"] == "25-35"


def test_clear_all_memories(session: Session) -> None:
    conversation_id, other_id = uuid.uuid4(), uuid.uuid4()
    for n in range(3):
        ConversationMemory.store_memory(session, conversation_id, f"summary {n}")
    ConversationMemory.store_memory(session, other_id, "kept")
    session.commit()

    assert ConversationMemory.clear_all_memories(session, conversation_id) == 3
    session.commit()

    assert ConversationMemory.get_for_conversation(session, conversation_id).all() == []
    assert ConversationMemory.get_next_sequence_number(session, conversation_id) == 1
    assert ConversationMemory.clear_all_memories(session, conversation_id) == 0
    assert [
        m.compressed_content for m in ConversationMemory.get_recent_memories(session, other_id)
    ] == ["kept"]


def test_memory_sequence_is_unique_per_conversation(session: Session) -> None:
    conversation_id = uuid.uuid4()
    session.add_all(
        [
            ConversationMemory(
                conversation_id=conversation_id, memory_sequence=1, compressed_content=text
            )
            for text in ("first", "duplicate")
        ]
    )
    with rejected_by_database():
        session.flush()


def test_memory_sequence_starts_at_one(session: Session) -> None:
    session.add(
        ConversationMemory(conversation_id=uuid.uuid4(), memory_sequence=0, compressed_content="x")
    )
    with rejected_by_database():
        session.flush()


def test_analysis_runs_on_insert_and_when_the_script_changes(session: Session) -> None:
    module = Module(
        name="TimeModule",
        type=ModuleType.ADVANCED,
        execution_context=ExecutionContext.IMMEDIATE,
        script=NO_AI,
    )
    session.add(module)
    session.commit()
    assert module.requires_ai_inference is False
    assert module.execution_stage_priority == 1
    assert module.script_analysis_metadata is not None
    assert module.script_analysis_metadata["variables_set"] == ["time"]

    module.script = "ctx.generate('Say hello')"
    session.commit()
    session.expire_all()
    assert session.get_one(Module, module.id).requires_ai_inference is True
    assert module.execution_stage_priority == 2

    module.description = "unrelated change"
    module.requires_ai_inference = False  # overridden by hand: kept while the script is unchanged
    session.commit()
    session.expire_all()
    assert module.requires_ai_inference is False


def test_refresh_ai_analysis_persists(session: Session) -> None:
    module = _module("Greeter", ExecutionContext.IMMEDIATE, NO_AI)
    session.add(module)
    session.commit()

    session.execute(
        sa.update(Module.__table__)
        .where(Module.__table__.c.id == module.id)
        .values(script="ctx.set_variable('g', ctx.ai_greet())")
    )
    session.commit()
    session.expire_all()
    assert module.requires_ai_inference is False

    analysis = module.refresh_ai_analysis(session)
    session.commit()
    session.expire_all()
    assert analysis["inference_functions"] == ["ai_greet"]
    assert session.get_one(Module, module.id).requires_ai_inference is True
    assert module.script_analysis_metadata is not None
    assert module.script_analysis_metadata["inference_functions"] == ["ai_greet"]


def test_module_with_syntax_error_is_saved_with_its_error(session: Session) -> None:
    module = _module("Broken", ExecutionContext.IMMEDIATE, "ctx.generate('x'")
    session.add(module)
    session.commit()
    session.expire_all()
    assert module.requires_ai_inference is False
    assert module.script_analysis_metadata is not None
    assert module.script_analysis_metadata["valid"] is False
    assert module.script_analysis_metadata["syntax_error"]["line"] == 1


def test_module_names_are_unique(session: Session) -> None:
    session.add_all([_module("same"), _module("same")])
    with rejected_by_database():
        session.flush()


def test_get_modules_for_stage(session: Session) -> None:
    session.add_all(
        [
            _module("clock", ExecutionContext.IMMEDIATE, NO_AI),
            Module(name="intro", type=ModuleType.SIMPLE, content="Hello", script=None),
            _module("opener", ExecutionContext.IMMEDIATE, AI),
            _module("counter", ExecutionContext.POST_RESPONSE, NO_AI),
            _module("reflector", ExecutionContext.POST_RESPONSE, AI),
            _module("summoned", ExecutionContext.ON_DEMAND, AI),
            _module("retired", ExecutionContext.IMMEDIATE, NO_AI, is_active=False),
        ]
    )
    persona = Persona(name="Guide", template="@clock @opener @reflector @retired @missing")
    session.add(persona)
    session.commit()

    def names(stage: int, persona_id: uuid.UUID | None = None) -> list[str]:
        return [m.name for m in Module.get_modules_for_stage(session, stage, persona_id)]

    assert names(1) == ["clock", "intro"]
    assert names(2) == ["opener"]
    assert names(4) == ["counter"]
    assert names(5) == ["reflector"]
    assert names(1, persona.id) == ["clock"]
    assert names(2, persona.id) == ["opener"]
    assert names(4, persona.id) == []
    assert names(5, persona.id) == ["reflector"]
    assert names(1, uuid.uuid4()) == []

    priorities = {
        m.name: m.execution_stage_priority for m in session.scalars(sa.select(Module)).all()
    }
    assert priorities == {
        "clock": 1,
        "intro": 1,
        "opener": 2,
        "counter": 4,
        "reflector": 5,
        "summoned": 999,
        "retired": 1,
    }


@pytest.mark.parametrize("mode", ["REACTIVE", "Autonomous", "scheduled"])
def test_persona_mode_is_checked_case_sensitively(session: Session, mode: str) -> None:
    session.add(Persona(name="p", template="t", mode=mode))
    with rejected_by_database():
        session.flush()


def test_execution_stage_compares_case_sensitively(session: Session) -> None:
    module = _module("tracker")
    session.add(module)
    session.flush()
    ConversationState.store_execution_result(
        session, uuid.uuid4(), module.id, "stage4", variables={}
    )
    session.commit()
    found = session.scalars(
        sa.select(ConversationState).where(ConversationState.execution_stage == "STAGE4")
    ).all()
    assert found == []
