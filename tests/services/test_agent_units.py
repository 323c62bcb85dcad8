"""The agent models' behaviour that needs no database: enums, stages, analysis, ``to_dict``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from agent_service.models import (
    ConversationMemory,
    ConversationState,
    ExecutionContext,
    ExecutionStage,
    MessageRole,
    Module,
    ModuleType,
    Persona,
    PersonaMode,
)
from sqlalchemy.orm import Session


def test_enum_values() -> None:
    assert [m.value for m in ModuleType] == ["simple", "advanced"]
    assert [c.value for c in ExecutionContext] == ["IMMEDIATE", "POST_RESPONSE", "ON_DEMAND"]
    assert [r.value for r in MessageRole] == ["user", "assistant", "system"]
    assert [s.value for s in ExecutionStage] == ["stage4", "stage5"]
    assert [m.value for m in PersonaMode] == ["reactive", "autonomous"]
    assert ModuleType("advanced") is ModuleType.ADVANCED
    assert ExecutionStage.STAGE4 == "stage4"


def test_enum_types_store_values_under_service_prefixed_names() -> None:
    column_types = {
        "type": Module.__table__.c.type.type,
        "execution_context": Module.__table__.c.execution_context.type,
    }
    assert column_types["type"].name == "agent_module_type"
    assert column_types["type"].enums == ["simple", "advanced"]
    assert column_types["execution_context"].name == "agent_execution_context"
    assert column_types["execution_context"].enums == ["IMMEDIATE", "POST_RESPONSE", "ON_DEMAND"]


def _module(context: ExecutionContext, script: str | None) -> Module:
    module = Module(
        name="m",
        type=ModuleType.ADVANCED if script else ModuleType.SIMPLE,
        execution_context=context,
        script=script,
        content=None if script else "static text",
    )
    module.analyze_script()
    return module


AI = "ctx.set_variable('reply', ctx.generate('hi'))"
NO_AI = "ctx.set_variable('time', ctx.get_current_time())"


@pytest.mark.parametrize(
    ("context", "script", "priority", "stage_name"),
    [
        (ExecutionContext.IMMEDIATE, NO_AI, 1, "Stage 1: immediate, without AI inference"),
        (ExecutionContext.IMMEDIATE, None, 1, "Stage 1: immediate, without AI inference"),
        (ExecutionContext.IMMEDIATE, AI, 2, "Stage 2: immediate, with AI inference"),
        (
            ExecutionContext.POST_RESPONSE,
            NO_AI,
            4,
            "Stage 4: after the response, without AI inference",
        ),
        (ExecutionContext.POST_RESPONSE, AI, 5, "Stage 5: after the response, with AI inference"),
        (ExecutionContext.ON_DEMAND, AI, 999, "On demand: runs only when triggered explicitly"),
        (ExecutionContext.ON_DEMAND, NO_AI, 999, "On demand: runs only when triggered explicitly"),
    ],
)
def test_stage_priority_and_name(
    context: ExecutionContext, script: str | None, priority: int, stage_name: str
) -> None:
    module = _module(context, script)
    assert module.execution_stage_priority == priority
    assert module.get_stage_name() == stage_name


@pytest.mark.parametrize(
    ("context", "flags"),
    [
        (ExecutionContext.IMMEDIATE, (True, False, False)),
        (ExecutionContext.POST_RESPONSE, (False, True, False)),
        (ExecutionContext.ON_DEMAND, (False, False, True)),
    ],
)
def test_context_properties(context: ExecutionContext, flags: tuple[bool, bool, bool]) -> None:
    module = Module(name="m", execution_context=context)
    assert (
        module.is_immediate_context,
        module.is_post_response_context,
        module.is_on_demand_context,
    ) == flags


def test_analyze_script_sets_requires_ai_inference_and_metadata() -> None:
    module = Module(name="m", type=ModuleType.ADVANCED, script=NO_AI)
    analysis = module.analyze_script()
    assert module.requires_ai_inference is False
    assert module.script_analysis_metadata == analysis
    assert analysis["variables_set"] == ["time"]
    datetime.fromisoformat(analysis["analyzed_at"])

    module.script = AI
    assert module.analyze_script()["requires_ai_inference"] is True
    assert module.requires_ai_inference is True


def test_simple_module_ignores_its_script() -> None:
    module = Module(name="m", type=ModuleType.SIMPLE, script=AI, content="text")
    assert module.analyze_script()["requires_ai_inference"] is False
    assert module.requires_ai_inference is False


def test_analyze_script_with_syntax_error() -> None:
    module = Module(name="m", type=ModuleType.ADVANCED, script="ctx.generate(")
    analysis = module.analyze_script()
    assert module.requires_ai_inference is False
    assert analysis["valid"] is False
    assert analysis["syntax_error"]["line"] == 1
    assert module.script_analysis_metadata == analysis


def test_persona_module_names() -> None:
    persona = Persona(name="p", template="You are @greeting and @mood_tracker; @greeting again.")
    assert persona.module_names == ["greeting", "mood_tracker"]
    assert Persona(name="q", template="Mail ada@example.com.").module_names == []
    assert Persona(name="r", template="(@a),@b\n@c.").module_names == ["a", "b", "c"]


@pytest.mark.parametrize("stage", [0, 3, 6, 999])
def test_get_modules_for_stage_rejects_other_stages(stage: int) -> None:
    with Session() as db, pytest.raises(ValueError, match="stage_number must be one of"):
        Module.get_modules_for_stage(db, stage)


@pytest.mark.parametrize("stage", ["stage3", "STAGE4", "", "post"])
def test_store_execution_result_rejects_unknown_stages(stage: str) -> None:
    with Session() as db, pytest.raises(ValueError, match="execution_stage must be one of"):
        ConversationState.store_execution_result(
            db, uuid.uuid4(), uuid.uuid4(), stage, variables={}
        )


def test_state_to_dict() -> None:
    state_id, conversation_id, module_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    executed = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    state = ConversationState(
        id=state_id,
        conversation_id=conversation_id,
        module_id=module_id,
        execution_stage="stage4",
        variables={"count": 5, "status": "ready"},
        execution_metadata={"success": True},
        executed_at=executed,
    )
    assert state.to_dict() == {
        "id": str(state_id),
        "conversation_id": str(conversation_id),
        "module_id": str(module_id),
        "execution_stage": "stage4",
        "variables": {"count": 5, "status": "ready"},
        "execution_metadata": {"success": True},
        "executed_at": "2025-01-02T03:04:05+00:00",
    }


def test_memory_to_dict() -> None:
    memory_id, conversation_id = uuid.uuid4(), uuid.uuid4()
    memory = ConversationMemory(
        id=memory_id,
        conversation_id=conversation_id,
        memory_sequence=2,
        compressed_content="They talked about the sea.",
        original_message_range="25-35",
        message_count_at_compression=35,
        first_message_id="m-25",
        created_at=datetime(2025, 1, 2, tzinfo=UTC),
    )
    assert memory.to_dict() == {
        "id": str(memory_id),
        "conversation_id": str(conversation_id),
        "memory_sequence": 2,
        "compressed_content": "They talked about the sea.",
        "original_message_range": "25-35",
        "message_count_at_compression": 35,
        "first_message_id": "m-25",
        "created_at": "2025-01-02T00:00:00+00:00",
    }
