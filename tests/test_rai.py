import math

import pytest
import torch

from relubook import initialization as init


def test_rai_shapes_and_statistics():
    g = torch.Generator().manual_seed(0)
    W, b = init.rai_sample(50, 40, batch=(200,), generator=g)
    assert W.shape == (200, 50, 40) and b.shape == (200, 50)
    V = torch.cat([W, b.unsqueeze(-1)], dim=-1)  # (200, 50, 41)
    # one Beta(2,1) entry per row: the row sum has mean 2/3 (the normals have mean 0)
    assert abs(V.sum(-1).mean().item() - 2 / 3) < 0.02
    # second moment per row: 40 normals of variance 0.6007^2/40, plus E[Beta^2] = 1/2
    second = V.square().sum(-1).mean().item()
    assert abs(second - (init.RAI_SIGMA**2 + 0.5)) < 0.05, second


def test_rai_scheme_registered_and_initialize():
    assert "rai" in init.schemes()
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    init.initialize(model, "rai", generator=torch.Generator().manual_seed(1))
    assert torch.isfinite(model[0].weight).all()
    with pytest.raises(ValueError, match="rai"):
        init.initialize(model, "raai")
    with pytest.raises(ValueError):
        init.rai_sample(0, 3)
    assert init.weight_variance("rai", 3, 4) is None
    assert math.isclose(init.RAI_SIGMA, 0.6007)
