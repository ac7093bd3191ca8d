import torch

from vsc.networks import ConvDecoder, conv_encoder, count_parameters, mlp_encoder


def test_conv_encoder_and_decoder_shapes():
    enc = conv_encoder(("mu", "logvar", "spike"), 512)
    out = enc(torch.rand(4, 3, 64, 64))
    assert set(out) == {"mu", "logvar", "spike"} and out["mu"].shape == (4, 512)
    dec = ConvDecoder(512)
    images = dec(torch.randn(4, 10, 512))
    assert images.shape == (4, 10, 3, 64, 64)
    assert images.min() >= 0 and images.max() <= 1  # sigmoid output


def test_paper_channel_widths_and_width_multiplier():
    enc = conv_encoder(("mu",), 16)
    convs = [m for m in enc.trunk if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [64, 64, 128, 256, 256]
    assert [c.padding for c in convs][-1] == (0, 0)
    dec = ConvDecoder(16)
    tconvs = [m for m in dec.body if isinstance(m, torch.nn.ConvTranspose2d)]
    assert [c.out_channels for c in tconvs] == [128, 128, 64, 64, 3]
    small = conv_encoder(("mu",), 16, width=0.25)
    assert count_parameters(small) < count_parameters(enc) / 10


def test_mlp_encoder_is_the_linear_experiments():
    enc = mlp_encoder(256, [512, 1024, 512, 256], ("mu", "logscale"), 256)
    widths = [m.out_features for m in enc.trunk if isinstance(m, torch.nn.Linear)]
    assert widths == [512, 1024, 512, 256] and enc(torch.randn(3, 256))["mu"].shape == (3, 256)
