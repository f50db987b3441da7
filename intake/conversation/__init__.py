"""The channel-agnostic conversation engine (DESIGN.md §4): a flow is data, `handle(state, input)` is pure."""
