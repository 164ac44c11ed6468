#!/usr/bin/env python3
"""check_function_length.py - no Python function of bench/ or scripts/
longer than MAX_LINES (its def line to its last line, docstring and
comments included): a longer one does several jobs, each of which wants a
name of its own.

Prints each function over the bound, "FILE:LINE: NAME is N lines (at most
MAX_LINES)", and exits 1 when there is one. Usage:
check_function_length.py FILE.py...
"""
import ast
import sys

MAX_LINES = 80


def long_functions(path):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_LINES:
                yield node.lineno, node.name, lines


def main(paths):
    found = 0
    for path in paths:
        for line, name, lines in long_functions(path):
            print(f"{path}:{line}: {name} is {lines} lines (at most {MAX_LINES})")
            found += 1
    if found:
        return 1
    print(f"function length: {len(paths)} Python files, no function over {MAX_LINES} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
