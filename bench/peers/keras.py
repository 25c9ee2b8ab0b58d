"""Keras 3 on TensorFlow peer: model.fit with the workload's settings.

Threads: tf.config.threading intra/inter-op = T (plus TF_NUM_*_THREADS set by
common.parse_args before TensorFlow loads). "seconds" is the wall time of
model.fit (it includes tf.function tracing on the first epoch, which Keras
does not let you separate; extra.epoch_seconds shows the per-epoch split).
Shuffling: fit(shuffle=True) (Keras draws its own per-epoch order; feeding
the other peers' numpy permutations would take model.fit off its fast path).
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

args = C.parse_args("keras")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(args.threads)
tf.config.threading.set_inter_op_parallelism_threads(args.threads)
import keras  # noqa: E402

keras.utils.set_random_seed(args.seed)


def build(sizes, out_act):
    layers = [keras.Input(shape=(sizes[0],))]
    for i, n in enumerate(sizes[1:]):
        last = i == len(sizes) - 2
        layers.append(keras.layers.Dense(
            n, activation=out_act if last else "relu",
            kernel_initializer="glorot_uniform", bias_initializer="zeros"))
    return keras.Sequential(layers)


class EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t = C.now()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(C.now() - self._t)


def fit(model, loss, x, y, cfg):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=cfg["lr"], beta_1=C.ADAM_BETAS[0],
                                        beta_2=C.ADAM_BETAS[1], epsilon=C.ADAM_EPS),
        loss=loss)
    timer = EpochTimer()
    t0 = C.now()
    hist = model.fit(x, y, batch_size=cfg["batch"], epochs=cfg["epochs"], shuffle=True,
                     verbose=0, callbacks=[timer])
    secs = C.now() - t0
    return secs, {"final_epoch_loss": float(hist.history["loss"][-1]),
                  "first_epoch_seconds": round(timer.times[0], 4),
                  "rest_epochs_seconds": round(sum(timer.times[1:]), 4)}


extra = {"tensorflow": tf.__version__, "keras": keras.__version__,
         "intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
         "inter_op": tf.config.threading.get_inter_op_parallelism_threads()}

if args.workload in (1, 2, 3):
    t_load = C.now()
    xtr, ytr, xte, yte = C.load_mnist(args.data_dir, args.limit)
    extra["load_seconds"] = round(C.now() - t_load, 4)
    model = build(C.MNIST_LAYERS, "softmax")
    if args.workload in (1, 2):
        secs, info = fit(model, "sparse_categorical_crossentropy", xtr, ytr, args.cfg)
        extra.update(info)
        probs = model.predict(xte, batch_size=10000, verbose=0)
        acc = float((probs.argmax(1) == yte).mean())
        C.emit(args, seconds=round(secs, 4), test_accuracy=acc, extra=extra)
    else:
        # Fastest idiomatic inference path: the model call wrapped in a
        # tf.function (model.predict adds ~ms of per-call overhead; measured
        # too and reported in extra).
        fn = tf.function(lambda x: tf.argmax(model(x, training=False), axis=1),
                         reduce_retracing=True)
        xte_t = tf.constant(xte)
        for _ in range(2):
            fn(xte_t).numpy()
        bt = []
        for _ in range(args.batch_reps):
            t0 = C.now(); out = fn(xte_t).numpy(); bt.append(C.now() - t0)
        acc = float((out == yte).mean())
        one = [tf.constant(xte[i:i + 1]) for i in range(args.single_reps)]
        for i in range(50):
            fn(one[i]).numpy()
        st = []
        for xi in one:
            t0 = C.now(); fn(xi).numpy(); st.append(C.now() - t0)
        pt = []
        for i in range(min(100, args.single_reps)):
            t0 = C.now(); model.predict(xte[i:i + 1], verbose=0); pt.append(C.now() - t0)
        C.emit(args, seconds=None, test_accuracy=acc,
               batch_ms=round(C.median(bt) * 1e3, 4),
               single_us=round(C.median(st) * 1e6, 3),
               extra=dict(extra, batch_reps=args.batch_reps, single_reps=args.single_reps,
                          batch_min_ms=round(min(bt) * 1e3, 4),
                          single_min_us=round(min(st) * 1e6, 3),
                          model_predict_single_us=round(C.median(pt) * 1e6, 1),
                          weights="fresh Glorot init (accuracy is chance level)",
                          path="tf.function(model(x, training=False))"))
else:
    xtr, ytr, xte, yte = C.load_titanic(args.titanic_csv, args.seed)
    model = build(C.TITANIC_LAYERS, "sigmoid")
    secs, info = fit(model, "binary_crossentropy", xtr, ytr, args.cfg)
    extra.update(info)
    p = model.predict(xte, batch_size=1000, verbose=0)
    acc = float(((p > 0.5) == (yte > 0.5)).mean())
    extra["n_train"], extra["n_test"] = len(xtr), len(xte)
    C.emit(args, seconds=round(secs, 4), test_accuracy=acc, extra=extra)
