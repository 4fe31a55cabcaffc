"""``stats``'s template merge: which templates it joins into one."""

from __future__ import annotations

from conftest import examples
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logtrim.engine.match.kinds import Kind
from logtrim.engine.stats.counting import TemplateStat
from logtrim.logs.merge import merge

_TOKENS = st.lists(st.sampled_from([b"a", b"b", b"<n>", b"done"]), min_size=2, max_size=5)
_TIERS = st.sampled_from([Kind.NOISE, Kind.ERROR])


def _components(tiers: dict[bytes, Kind]) -> set[frozenset[bytes]]:
    """The groups a merge should make, pair by pair: templates of one tier and as many tokens
    (three or more) that differ in one token are joined, and so on along chains."""
    names = list(tiers)
    group = {name: {name} for name in names}
    for i, one in enumerate(names):
        for other in names[i + 1 :]:
            a, b = one.split(b" "), other.split(b" ")
            apart = len(a) == len(b) >= 3 and sum(x != y for x, y in zip(a, b, strict=True)) == 1
            if apart and tiers[one] == tiers[other] and group[one] is not group[other]:
                joined = group[one] | group[other]
                for name in joined:
                    group[name] = joined
    components = {frozenset(members) for members in group.values()}
    # Two tiers' groups can join to one text: the higher tier keeps it, the other's stay apart.
    taken: set[bytes] = set()
    out: set[frozenset[bytes]] = set()
    for members in sorted(components, key=lambda m: -tiers[next(iter(m))]):
        rows = [t.split(b" ") for t in members]
        text = b" ".join(
            tok if all(r[pos] == tok for r in rows) else b"<*>" for pos, tok in enumerate(rows[0])
        )
        if len(members) > 1 and text in taken:
            out.update(frozenset([t]) for t in members)
        else:
            taken.add(text)
            out.add(members)
    return out


@settings(max_examples=examples(200))
@given(st.dictionaries(_TOKENS.map(b" ".join), _TIERS, max_size=40))
@example({b"a a": Kind.NOISE, b"<n> done a": Kind.NOISE, b"<n> done b": Kind.NOISE,
          b"<n> done <n>": Kind.ERROR, b"<n> done done": Kind.ERROR})  # fmt: skip
def test_merge_joins_exactly_the_templates_one_token_apart(tiers: dict[bytes, Kind]) -> None:
    """Each template counts a distinct power of two lines, so the lines of a merged template
    say which templates it holds: the groups are those of the pairwise rule."""
    names = list(tiers)
    templates = {t: TemplateStat(1 << i, 10 + i, t) for i, t in enumerate(names)}
    out, out_tiers, _ = merge(templates, tiers)
    groups = {
        frozenset(t for i, t in enumerate(names) if stat.lines >> i & 1) for stat in out.values()
    }
    assert groups == _components(tiers)
    assert sum(s.size for s in out.values()) == sum(s.size for s in templates.values())
    for tpl, stat in out.items():
        members = [t for i, t in enumerate(names) if stat.lines >> i & 1]
        assert {tiers[t] for t in members} == {out_tiers[tpl]}
        # Its text: the template itself, or its members' tokens with <*> where they differ.
        rows = [t.split(b" ") for t in members]
        text = b" ".join(
            tok if all(r[pos] == tok for r in rows) else b"<*>" for pos, tok in enumerate(rows[0])
        )
        assert tpl == (text if len(members) > 1 else members[0])
        assert stat.example == templates[max(members, key=lambda t: templates[t].size)].example
