"""agent-service: personas, modules and conversations of the MindMirror agent.

The models live in :mod:`agent_service.models`; script analysis in
:mod:`agent_service.script_analysis`. Importing this package imports nothing else.
"""
