"""JAX peer: jit-compiled train step, Adam from optax (hand-written fallback).

Compilation is done ahead of the timed loop (jit(...).lower(...).compile())
and reported as extra.compile_seconds, so "seconds" is the steady-state
training loop only. For 1 thread, XLA_FLAGS disables the multi-threaded Eigen
path and the process is pinned to CPU 0 with sched_setaffinity.
"""
import os
import sys

# This file's folder must not shadow the real packages (numpy.py, jax.py,
# keras.py live here), so drop it from sys.path and load common.py by path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
import importlib.util  # noqa: E402
_spec = importlib.util.spec_from_file_location("bench_common", os.path.join(_HERE, "common.py"))
C = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(C)

args = C.parse_args("jax")
if args.threads == 1:
    os.sched_setaffinity(0, {0})
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

try:
    import optax
    HAVE_OPTAX = True
except ImportError:
    HAVE_OPTAX = False


def init_params(sizes, key):
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        key, sub = jax.random.split(key)
        lim = C.glorot_limit(a, b)
        W = jax.random.uniform(sub, (a, b), jnp.float32, -lim, lim)
        params.append((W, jnp.zeros((b,), jnp.float32)))
    return params


def logits_fn(params, x):
    h = x
    for W, b in params[:-1]:
        h = jax.nn.relu(h @ W + b)
    W, b = params[-1]
    return h @ W + b


def ce_loss(params, x, y):
    logp = jax.nn.log_softmax(logits_fn(params, x))
    return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))


def bce_loss(params, x, y):
    z = logits_fn(params, x)
    # stable sigmoid + binary cross-entropy on logits
    return jnp.mean(jnp.maximum(z, 0) - z * y + jnp.log1p(jnp.exp(-jnp.abs(z))))


def make_adam(lr):
    if HAVE_OPTAX:
        return optax.adam(lr, b1=C.ADAM_BETAS[0], b2=C.ADAM_BETAS[1], eps=C.ADAM_EPS)
    b1, b2, eps = C.ADAM_BETAS[0], C.ADAM_BETAS[1], C.ADAM_EPS

    class _Adam:
        @staticmethod
        def init(p):
            z = jax.tree_util.tree_map(jnp.zeros_like, p)
            return (jnp.zeros((), jnp.int32), z, z)

        @staticmethod
        def update(g, state, p=None):
            t, m, v = state
            t = t + 1
            m = jax.tree_util.tree_map(lambda m_, g_: b1 * m_ + (1 - b1) * g_, m, g)
            v = jax.tree_util.tree_map(lambda v_, g_: b2 * v_ + (1 - b2) * g_ * g_, v, g)
            c1 = 1 - b1 ** t.astype(jnp.float32)
            c2 = 1 - b2 ** t.astype(jnp.float32)
            upd = jax.tree_util.tree_map(
                lambda m_, v_: -lr * (m_ / c1) / (jnp.sqrt(v_ / c2) + eps), m, v)
            return upd, (t, m, v)
    return _Adam


def make_step(loss_fn, opt):
    def step(params, opt_state, x_all, y_all, idx):
        xb = jnp.take(x_all, idx, axis=0)
        yb = jnp.take(y_all, idx, axis=0)
        loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
        updates, opt_state = opt.update(grads, opt_state, params)
        params = jax.tree_util.tree_map(lambda p, u: p + u, params, updates)
        return params, opt_state, loss
    return jax.jit(step, donate_argnums=(0, 1))


def train(params, loss_fn, x, y, cfg, seed, extra):
    opt = make_adam(cfg["lr"])
    opt_state = opt.init(params)
    step = make_step(loss_fn, opt)
    x, y = jnp.asarray(x), jnp.asarray(y)
    perms = C.epoch_permutations(len(x), cfg["epochs"], seed)
    slices = C.batch_slices(len(x), cfg["batch"])
    # Precompile every batch shape (full batches + a ragged last one).
    t_c = C.now()
    compiled = {}
    for s, e in slices:
        n = e - s
        if n not in compiled:
            idx = jnp.zeros((n,), jnp.int32)
            compiled[n] = step.lower(params, opt_state, x, y, idx).compile()
    extra["compile_seconds"] = round(C.now() - t_c, 4)
    idx_batches = [[jnp.asarray(p[s:e].astype(np.int32)) for s, e in slices] for p in perms]
    jax.block_until_ready(idx_batches)
    t0 = C.now()
    for batches in idx_batches:
        for idx in batches:
            params, opt_state, loss = compiled[idx.shape[0]](params, opt_state, x, y, idx)
    jax.block_until_ready(params)
    secs = C.now() - t0
    extra["final_batch_loss"] = float(loss)
    return params, secs


key = jax.random.PRNGKey(args.seed)
extra = {"jax": jax.__version__, "optax": getattr(sys.modules.get("optax"), "__version__", None),
         "xla_flags": os.environ.get("XLA_FLAGS", ""), "devices": str(jax.devices())}

if args.workload in (1, 2, 3):
    t_load = C.now()
    xtr, ytr, xte, yte = C.load_mnist(args.data_dir, args.limit)
    extra["load_seconds"] = round(C.now() - t_load, 4)
    params = init_params(C.MNIST_LAYERS, key)
    predict = jax.jit(lambda p, x: jnp.argmax(logits_fn(p, x), axis=1))
    if args.workload in (1, 2):
        params, secs = train(params, ce_loss, xtr, ytr.astype(np.int32), args.cfg, args.seed, extra)
        acc = float((np.asarray(predict(params, jnp.asarray(xte))) == yte).mean())
        extra["steps"] = args.cfg["epochs"] * len(C.batch_slices(len(xtr), args.cfg["batch"]))
        C.emit(args, seconds=round(secs, 4), test_accuracy=acc, extra=extra)
    else:
        xte_d = jnp.asarray(xte)
        for _ in range(2):
            predict(params, xte_d).block_until_ready()
        bt = []
        for _ in range(args.batch_reps):
            t0 = C.now(); out = predict(params, xte_d).block_until_ready(); bt.append(C.now() - t0)
        acc = float((np.asarray(out) == yte).mean())
        one = [jnp.asarray(xte[i:i + 1]) for i in range(args.single_reps)]
        for i in range(50):
            predict(params, one[i]).block_until_ready()
        st = []
        for xi in one:
            t0 = C.now(); predict(params, xi).block_until_ready(); st.append(C.now() - t0)
        C.emit(args, seconds=None, test_accuracy=acc,
               batch_ms=round(C.median(bt) * 1e3, 4),
               single_us=round(C.median(st) * 1e6, 3),
               extra=dict(extra, batch_reps=args.batch_reps, single_reps=args.single_reps,
                          batch_min_ms=round(min(bt) * 1e3, 4),
                          single_min_us=round(min(st) * 1e6, 3),
                          weights="fresh Glorot init (accuracy is chance level)",
                          note="input already a device array; jit predict returns argmax"))
else:
    xtr, ytr, xte, yte = C.load_titanic(args.titanic_csv, args.seed)
    params = init_params(C.TITANIC_LAYERS, key)
    params, secs = train(params, bce_loss, xtr, ytr, args.cfg, args.seed, extra)
    z = np.asarray(jax.jit(logits_fn)(params, jnp.asarray(xte)))
    acc = float(((z > 0) == (yte > 0.5)).mean())
    extra["n_train"], extra["n_test"] = len(xtr), len(xte)
    C.emit(args, seconds=round(secs, 4), test_accuracy=acc, extra=extra)
