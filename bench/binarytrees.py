# SPDX-License-Identifier: GPL-2.0
"""binary-trees, the Benchmarks Game's plain Python 3 version (tuples)."""
import sys


def make_tree(d):
    return (make_tree(d - 1), make_tree(d - 1)) if d > 0 else (None, None)


def check_tree(node):
    l, r = node
    return 1 if l is None else 1 + check_tree(l) + check_tree(r)


def main(n):
    min_depth = 4
    max_depth = max(min_depth + 2, n)
    stretch = max_depth + 1
    print(f"stretch tree of depth {stretch}\t check: {check_tree(make_tree(stretch))}")
    long_lived = make_tree(max_depth)
    for d in range(min_depth, max_depth + 1, 2):
        iterations = 2 ** (max_depth - d + min_depth)
        check = 0
        for _ in range(iterations):
            check += check_tree(make_tree(d))
        print(f"{iterations}\t trees of depth {d}\t check: {check}")
    print(f"long lived tree of depth {max_depth}\t check: {check_tree(long_lived)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
