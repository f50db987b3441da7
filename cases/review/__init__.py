"""The review itself (DESIGN.md §2, after the decision): agency reports, the overview or final report and its
anonymisation check, publication control and the action plan register. Pure, like the rest of `cases/`."""
