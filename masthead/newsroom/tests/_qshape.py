"""Query shapes, for messages when a query count differs."""

import collections
import re


def counter(ctx):
    return collections.Counter(re.sub(r"\d+", "N", q["sql"])[:300] for q in ctx.captured_queries)


def shapes(ctx, other=None):
    c = counter(ctx)
    if other is not None:
        c = c - counter(other)
    return [f"{n}x {s}" for s, n in c.most_common(8)]
