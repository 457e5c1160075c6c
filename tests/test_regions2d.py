"""Exact linear regions in the plane: relubook.regions2d."""

from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relubook as rb
from relubook import regions2d as r2
from relubook.regions import random_deep


def _patterns(regs):
    return sorted(tuple(bool(v) for v in r.pattern) for r in regs)


def _box_for_lines(W, b, margin=1.0):
    pts = []
    for i, j in combinations(range(len(b)), 2):
        M = W[[i, j]]
        pts.append(np.linalg.solve(M, -b[[i, j]]))
    for a, c in zip(W, b):  # a point of every line, so that even one line crosses the box
        pts.append(-c * a / (a @ a))
    pts = np.array(pts)
    lo, hi = pts.min(axis=0) - margin, pts.max(axis=0) + margin
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), widths=st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_float_agrees_with_exact(seed, widths):
    net = random_deep(widths, np.random.default_rng(seed), n_in=2)
    fl = r2.linear_regions_2d(net)
    ex = r2.linear_regions_2d(net, exact=True)
    assert _patterns(fl) == _patterns(ex)
    assert sum(r.area for r in ex) == 4  # exactly the box area
    assert abs(r2.region_areas(fl).sum() - 4.0) < 1e-9
    by_pat = {tuple(r.pattern): r for r in ex}
    for r in fl:
        e = by_pat[tuple(r.pattern)]
        assert np.allclose(np.asarray(e.A, float), r.A) and np.allclose(np.asarray(e.c, float), r.c)
        assert np.allclose(r.area, float(e.area), atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(1, 9))
def test_zaslavsky_one_layer(seed, n):
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(n, 2)), rng.normal(size=n)
    net = rb.ShallowReLU(W, b, rng.normal(size=n))
    xlim, ylim = _box_for_lines(W, b)
    want = r2.zaslavsky_count(n, 2)
    assert want == 1 + n + n * (n - 1) // 2
    assert len(r2.linear_regions_2d(net, xlim, ylim, tol=1e-12)) == want
    if n <= 6:
        assert len(r2.linear_regions_2d(net, xlim, ylim, exact=True)) == want


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_affine_maps_and_patterns_at_centroids(seed):
    net = random_deep([5, 4], np.random.default_rng(seed), n_in=2)
    regs = r2.linear_regions_2d(net, (-2, 1), (-1, 3))
    C = np.array([r.centroid for r in regs])
    vals = net(C)
    pats = np.concatenate([Z > 0 for Z in net.pre_activations(C)], axis=1)
    for r, x, v, p in zip(regs, C, vals, pats):
        assert abs(r(x[None])[0, 0] - v) < 1e-9 * (1 + abs(v))
        assert np.array_equal(r.pattern, p)
        V = np.asarray(r.vertices)
        E = np.roll(V, -1, axis=0) - V
        cross = E[:, 0] * np.roll(E[:, 1], -1) - E[:, 1] * np.roll(E[:, 0], -1)
        assert np.all(cross >= -1e-12)  # convex, counter-clockwise


def test_small_network_matches_grid():
    net = random_deep([6, 6], np.random.default_rng(1), n_in=2)
    regs = r2.linear_regions_2d(net)
    rho = r2.smallest_inradius(regs)
    assert rho > 0
    n = int(np.ceil(2 / (np.sqrt(2) * rho))) + 1
    assert r2.grid_regions_2d(net, n=n) == len(regs)


def test_degenerate_lines():
    # x, x again (coincident), x - 0.5 (parallel), x + y (through two corners), a dead unit
    W = [[1, 0], [1, 0], [1, 0], [1, 1], [0, 0]]
    b = [0, 0, -0.5, 0, -1]
    net = rb.ShallowReLU(W, b, [1, 2, 3, 4, 5])
    for exact in (False, True):
        regs = r2.linear_regions_2d(net, exact=exact)
        # x = 0 and x = 1/2 make 3 strips; the diagonal cuts the middle and left strips... count directly:
        # diagonal x + y = 0 from (-1, 1) to (1, -1) crosses strip x<0 and 0<x<1/2 and x>1/2: 6 regions
        assert len(regs) == 6
        assert all(not r.pattern[4] for r in regs)  # dead unit never active
        assert all(r.pattern[0] == r.pattern[1] for r in regs)  # coincident units agree
        assert all(len(r.vertices) >= 3 for r in regs)
        assert float(sum(r.area for r in regs)) == pytest.approx(4.0)


def test_line_through_corner_only():
    # x + y = 2 touches the box [-1, 1]^2 only at the corner (1, 1): no cut
    net = rb.ShallowReLU([[1, 1]], [-2], [1])
    for exact in (False, True):
        regs = r2.linear_regions_2d(net, exact=exact)
        assert len(regs) == 1 and not regs[0].pattern[0]


def test_torch_float32_module():
    torch = pytest.importorskip("torch")
    net = random_deep([5, 5], np.random.default_rng(3), n_in=2)
    mod = net.to_torch(dtype=torch.float32)
    regs = r2.linear_regions_2d(mod)
    C = np.array([r.centroid for r in regs])
    with torch.no_grad():
        out = mod(torch.as_tensor(C, dtype=torch.float32, device=next(mod.parameters()).device)).cpu().numpy()
    for r, x, v in zip(regs, C, out):
        assert abs(r(x[None])[0, 0] - v) < 1e-4
    assert abs(r2.region_areas(regs).sum() - 4) < 1e-9


def test_exact_accepts_fractions_and_is_exact():
    net = rb.ShallowReLU([[1, 0], [0, 1]], [Fraction(0).__float__(), 0.0], [1, 1])
    regs = r2.linear_regions_2d(net, (Fraction(-1, 3), Fraction(2, 3)), (-1, 1), exact=True)
    assert len(regs) == 4
    assert sum(r.area for r in regs) == Fraction(2)
    assert all(isinstance(v, Fraction) for r in regs for v in np.ravel(r.vertices))


def test_serra_bound():
    assert r2.serra_bound([7]) == r2.zaslavsky_count(7)
    assert r2.serra_bound([1, 1]) == 3  # the second unit can cut only the active half-plane
    for seed in range(3):
        net = random_deep([4, 4], np.random.default_rng(seed), n_in=2)
        assert len(r2.linear_regions_2d(net, (-5, 5), (-5, 5))) <= r2.serra_bound([4, 4])
    assert r2.zaslavsky_count(5, 3) == 1 + 5 + 10 + 10


def test_validation():
    net = random_deep([3], np.random.default_rng(0), n_in=2)
    with pytest.raises(ValueError, match="two inputs"):
        r2.linear_regions_2d(random_deep([3], 0, n_in=1))
    with pytest.raises(TypeError, match="net"):
        r2.linear_regions_2d("net")
    with pytest.raises(ValueError, match="xlim"):
        r2.linear_regions_2d(net, (1, 0))
    with pytest.raises(TypeError, match="ylim"):
        r2.linear_regions_2d(net, (0, 1), 3)
    with pytest.raises(ValueError, match="xlim"):
        r2.linear_regions_2d(net, (0, np.inf))
    with pytest.raises(TypeError, match="exact"):
        r2.linear_regions_2d(net, exact="yes")
    with pytest.raises(ValueError, match="tol"):
        r2.linear_regions_2d(net, tol=0.1)
    with pytest.raises(ValueError, match="max_regions"):
        r2.linear_regions_2d(random_deep([8, 8], 0, n_in=2), max_regions=5)
    with pytest.raises(ValueError, match="exact=True"):
        r2.linear_regions_2d(random_deep([40, 40], 0, n_in=2), exact=True)
    with pytest.raises(TypeError, match="widths"):
        r2.serra_bound(3)


def test_draw_regions():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    net = random_deep([4, 4], np.random.default_rng(0), n_in=2)
    regs = r2.linear_regions_2d(net)
    fig, ax = plt.subplots()
    coll = r2.draw_regions_2d(ax, regs, values="output")
    assert len(coll.get_paths()) == len(regs)
    with pytest.raises(ValueError, match="values"):
        r2.draw_regions_2d(ax, regs, values="colour")
    plt.close(fig)


def test_arrangement_box_and_hanin_rolnick():
    rng = np.random.default_rng(5)
    W, b = rng.normal(size=(6, 2)), rng.normal(size=6)
    xlim, ylim = r2.arrangement_box(W, b)
    assert len(r2.linear_regions_2d(rb.ShallowReLU(W, b, np.ones(6)), xlim, ylim)) == r2.zaslavsky_count(6)
    with pytest.raises(ValueError, match="parallel"):
        r2.arrangement_box([[1, 0], [2, 0]], [0, 1])
    with pytest.raises(ValueError, match="zero row"):
        r2.arrangement_box([[0, 0], [1, 0]], [0, 1])
    assert r2.hanin_rolnick_line(48, np.sqrt(2), 0.3) == pytest.approx(42.6124, abs=1e-4)
    assert r2.hanin_rolnick_line(5, 1.0, 1.0) == pytest.approx(1 + 5 * 0.5)
    counts = r2.line_region_counts([20], 400, 1.0, 1.0, rng=0)
    assert abs(counts.mean() - r2.hanin_rolnick_line(20, 1.0, 1.0)) < 4 * counts.std() / 20
    with pytest.raises(ValueError, match="sigma_b"):
        r2.hanin_rolnick_line(3, 1.0, 0.0)


def test_checker_max_regions():
    from relubook.checks import regions2d as ck

    a = np.array([[np.cos(t), np.sin(t)] for t in (0, 2 * np.pi / 3, 4 * np.pi / 3)])
    assert ck.check_max_regions(rb.ShallowReLU(a, [0.3] * 3, [1, 1, 1]))
    assert not ck.check_max_regions(rb.ShallowReLU(a, [0.0] * 3, [1, 1, 1]))  # three lines through one point
    assert not ck.check_max_regions(rb.ShallowReLU([1, 2, 3], [0, 0, 0], [1, 1, 1]))  # one input
    assert not ck.check_max_regions("net")
