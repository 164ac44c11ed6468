# stack_lib.sh - helpers of the stack tests (test_stack.sh, test_dashboard.sh)
# on top of lib.sh; sourced, not run.
#
#   (pick_port VAR is in lib.sh)
