"""The standalone form: the run's network written out in NumPy, nothing else of nnlab.

Only the code the setup needs is emitted (its activations, initializers, loss,
optimizer; dropout, regularisation, a schedule, early stopping only when set).
It draws its random numbers as nnlab does (the same seeds, streams and order:
weights, dropout masks, shuffling), so it follows nnlab's run closely; float
rounding differs a little (nnlab's fast engine orders some sums differently).
Augmentation is left out, and said so at the top: nnlab's image transforms are a
module of their own."""
from __future__ import annotations

from nnlab.core.initializers import resolve_init
from nnlab.experiments.codegen import pieces
from nnlab.experiments.codegen.text import header_lines

FORWARD = '''
def forward(X, W, b, rng=None):
    """The layers in order: z = h·W + b, then h = f(z) in each hidden layer{DROP_DOC}.
    Returns the output ({OUT_DOC}) and what backward needs: each layer's
    input h, each hidden layer's activation a{MASK_DOC}."""
    h, inputs, acts{MASKS_INIT} = X, [], []{MASKS_LIST}
    for i, name in enumerate(ACTIVATIONS):
        inputs.append(h)
        a = ACTIVATION[name](h @ W[i] + b[i])  # h = f(x·W + b)
        acts.append(a)
{DROPOUT}    inputs.append(h)
    z = h @ W[-1] + b[-1]
    return {OUT}, (inputs, acts{MASKS})


def backward(delta, W, cache):
    """From the output down: dL/dW = hᵀ·δ and dL/db = Σδ for each layer, then δ for the
    layer below: dL/dh = δ·Wᵀ{MASK_FORMULA}, dL/dz = dL/dh·f'(a)."""
    inputs, acts{MASKS} = cache
    gW, gb = [None] * len(W), [None] * len(W)
    for i in reversed(range(len(W))):
        gW[i] = inputs[i].T @ delta
        gb[i] = delta.sum(axis=0)
        if i > 0:
            delta = delta @ W[i].T{MASK_BACK}
            delta = delta * DERIVATIVE[ACTIVATIONS[i - 1]](acts[i - 1])
    return gW, gb
'''

DROPOUT = '''\
        if rng is not None:  # dropout while training: h ← h·mask/(1−p), mask ~ Bernoulli(1−p)
            mask = (rng.random(a.shape, dtype=DTYPE) >= DROPOUT) * DTYPE(1 / (1 - DROPOUT))
            masks.append(mask)
            h = a * mask
        else:  # predicting: every unit (the scaling above kept the expected sum the same)
            h = a
'''

MAIN = '''
def evaluate(X, y, W, b):
    """(mean loss, accuracy) on a whole set{NO_DROPOUT}."""
    out, _ = forward(X, W, b)
    return loss_and_delta(out, y)[0], float(np.mean(out.argmax(axis=1) == y))


def main():
    X_train, y_train, X_val, y_val, n_classes = load_data()
    n = len(X_train)
    sizes = [X_train.shape[1], *HIDDEN, n_classes]
    # nnlab's random streams: weights and dropout masks from one seed, the shuffling from another
    init_rng, dropout_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(SEED).spawn(2))
    shuffle_rng = np.random.default_rng(np.random.SeedSequence(SEED).spawn(3)[2])
    W = [draw(init, n_in, n_out, init_rng).astype(DTYPE)
         for n_in, n_out, init in zip(sizes[:-1], sizes[1:], INITS)]
    b = [np.zeros(n_out, DTYPE) for n_out in sizes[1:]]
    params = W + b  # updated in place, weights first
    optimizer = {OPTIMIZER}(params)
    batch = n if BATCH_SIZE is None else min(BATCH_SIZE, n)
{ES_INIT}    print(f"{{n}} training and {{len(X_val)}} validation samples; layers {{sizes}}")
    for epoch in range(EPOCHS):
        lr = {LR}
        order = shuffle_rng.permutation(n) if batch < n else np.arange(n)
        total, correct = 0.0, 0
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            out, cache = forward(X_train[idx], W, b{RNG})
            loss, delta = loss_and_delta(out, y_train[idx])
            correct += int(np.sum(out.argmax(axis=1) == y_train[idx]))
            gW, gb = backward(delta, W, cache)
{REG}            optimizer.step(params, gW + gb, lr)
            total += loss * len(idx){TOTAL_NOTE}
        val_loss, val_acc = evaluate(X_val, y_val, W, b)
        if (epoch + 1) % max(1, EPOCHS // 20) == 0 or epoch + 1 == EPOCHS:
            print(f"epoch {{epoch + 1:4d}}  train loss {{total / n:.4f}}  train accuracy {{100 * correct / n:.2f}}%  "
                  f"val loss {{val_loss:.4f}}  val accuracy {{100 * val_acc:.2f}}%")
{ES}{ES_END}    print(f"validation accuracy {{100 * evaluate(X_val, y_val, W, b)[1]:.2f}}%")


if __name__ == "__main__":
{ARGV}    main()
'''

REG = {
    "l2": '''\
            for i in range(len(W)):  # L2 on the weights: loss + λ/(2N)·ΣW², gradient + λ/N·W
                gW[i] += (L2 / n) * W[i]
''',
    "l1": '''\
            for i in range(len(W)):  # L1 on the weights: loss + λ/N·Σ|W|, gradient + λ/N·sign(W)
                gW[i] += (L1 / n) * np.sign(W[i])
''',
}

ES_INIT = '''\
    # early stopping: a patience counter and a copy of the best weights, restored at the end
    best_loss, best_epoch, best, waited = np.inf, 0, None, 0
'''
ES = '''\
        if val_loss < best_loss - 1e-12:
            best_loss, best_epoch, best, waited = val_loss, epoch + 1, [p.copy() for p in params], 0
        else:
            waited += 1
            if waited >= PATIENCE:
                print(f"early stopping: no better validation loss for {PATIENCE} epochs")
                break
'''
ES_END = '''\
    if best is not None:
        for p, kept in zip(params, best):
            p[...] = kept
        print(f"restored the best weights, from epoch {best_epoch} (validation loss {best_loss:.4f})")
'''


def _constants(setup, inits) -> str:
    n, t = setup.network, setup.train
    lines = [("SEED", t["seed"], "the seed of every random number"),
             ("HIDDEN", n["hidden"], "units in each hidden layer"),
             ("ACTIVATIONS", n["activations"], "the function f of each hidden layer"),
             ("INITS", inits, "how each layer's W starts (b starts at 0)")]
    if n["loss"] == "mse":
        lines.append(("OUTPUT", n["output"], "the output layer's function (mean squared error)"))
    if n["dropout"] and n["hidden"]:
        lines.append(("DROPOUT", n["dropout"], "p: the share of hidden units switched off in each step"))
    first = " at the first epoch" if t["lr_schedule"] != "constant" else ""
    lines.append(("LR", t["lr"], "the learning rate" + first))
    names = {"momentum": "MOMENTUM", "rho": "RHO", "beta1": "BETA1", "beta2": "BETA2", "eps": "EPS"}
    from nnlab.core.hyperparams import get, taken_by
    for key in taken_by(t["optimizer"]):
        lines.append((names[key], t[key], "ε: keeps the division finite" if key == "eps" else get(key).formula))
    batch = None if t["optimizer"] == "gd" else t["batch_size"]
    lines += [("BATCH_SIZE", batch, "samples per step (None: the whole training set)"),
              ("EPOCHS", t["epochs"], "passes over the training set")]
    for key, what in (("l2", "λ of L2"), ("l1", "λ of L1"), ("patience", "epochs without a better validation loss")):
        if t[key]:
            lines.append((key.upper(), t[key], what))
    if setup.dataset == "csv":
        lines.append(("LABEL", setup.label_column.lower() if setup.label_column else None,
                      "the label column (None: the one named like a label)"))
    if setup.path:
        lines.append(("DATA", setup.path, "the first argument replaces it"))
    return "\n".join(f"{k} = {v!r}  # {what}" for k, v, what in lines)


def _imports(setup, has_cosine) -> str:
    std = {"mnist": ["gzip", "os", "struct", "sys"], "csv": ["csv", "gzip", "io", "sys"]}.get(setup.dataset, [])
    std = sorted(std + (["math"] if has_cosine else []))
    lines = [f"import {m}" for m in std] + ([""] if std else []) + ["import numpy as np"]
    if setup.dataset == "digits":
        lines.append("from sklearn.datasets import load_digits")
    if setup.dataset in ("digits", "csv"):
        lines.append("from sklearn.model_selection import train_test_split")
    return "\n".join(lines)


def _data(setup) -> str:
    if setup.dataset == "digits":
        return pieces.DIGITS
    if setup.dataset == "mnist":
        return pieces.MNIST.format()
    scale = f"\n    X /= DTYPE({setup.pixel_max!r})  # image pixels 0..{setup.pixel_max:g} to 0..1" \
        if setup.image_shape and setup.pixel_max != 1.0 else ""
    return pieces.CSV.format(SCALE=scale)


def _draw(used) -> str:
    """draw(init, n_in, n_out, rng): each initializer the layers use, and no other."""
    lines = ["", "", "def draw(init, n_in, n_out, rng):", '    """A layer\'s initial weights, shape (n_in, n_out)."""']
    for i, name in enumerate(used):
        formula, code = pieces.INITS[name]
        last = i == len(used) - 1
        lines += [f"    {'' if last else '    '}# {name}: {formula}" if False else "",
                  f"    # {name}: {formula}" if last else f"    if init == {name!r}:  # {formula}",
                  f"    return {code}" if last else f"        return {code}"]
    return "\n".join(line for line in lines[:4]) + "\n" + "\n".join(l for l in lines[4:] if l) + "\n"


def left_out(setup) -> list:
    """What this form does not write out, as sentences for its top."""
    notes = []
    if setup.train["augment"]:
        notes.append(f"Left out: augmentation ({setup.train['augment']!r}). nnlab changed each training image "
                     "a little every epoch; this script trains on the images as they are, so its accuracy can "
                     "differ from the run's (the API form keeps it).")
    return notes


def _activations(n) -> str:
    """The functions the hidden layers (and a sigmoid output) use, and the two lookups."""
    used = list(dict.fromkeys(n["activations"]))
    defined = used + (["sigmoid"] if n["loss"] == "mse" and n["output"] == "sigmoid" and "sigmoid" not in used else [])
    table = ("ACTIVATION = {" + ", ".join(f"{a!r}: {a}" for a in used) + "}\n"
             "DERIVATIVE = {" + ", ".join(f"{a!r}: {a}_derivative" for a in used) + "}\n")
    return "\n".join(pieces.ACTIVATIONS[a] for a in defined) + "\n\n" \
        + ("" if n["hidden"] else "# no hidden layer: a linear model of the inputs\n") + table


def _loss(n) -> tuple:
    """(the loss function's code, the output expression in forward, its name there)."""
    if n["loss"] == "cross_entropy":
        return pieces.SOFTMAX_CE, "z", "the logits z"
    if n["output"] == "sigmoid":
        return (pieces.MSE.format(THROUGH=";\n    through the sigmoid output, dL/dz = dL/da·σ' = dL/da·a·(1 − a)",
                                  OUT_DERIVATIVE=" * sigmoid_derivative(a)"), "sigmoid(z)", "a = σ(z)")
    return pieces.MSE.format(THROUGH="", OUT_DERIVATIVE=""), "z", "a = z, linear"


def _forward(out: str, out_doc: str, drop: bool) -> str:
    on = (lambda text: text if drop else "")  # noqa: E731  (the dropout parts, or nothing)
    return FORWARD.format(
        DROP_DOC=on(",\n    then dropout (given its rng: training)"), OUT_DOC=out_doc,
        MASK_DOC=on(" and its dropout mask"), MASKS_INIT=on(", masks"), MASKS_LIST=on(", []"),
        DROPOUT=DROPOUT if drop else "        h = a\n", OUT=out, MASKS=on(", masks"), MASK_FORMULA=on("·mask"),
        MASK_BACK=on("\n            delta = delta * masks[i - 1]  # only the units that were kept"))


def _main(setup, drop: bool) -> str:
    t = setup.train
    es, reg = bool(t["patience"]), [k for k in ("l2", "l1") if t[k]]
    return MAIN.format(
        NO_DROPOUT=", without dropout" if drop else "", OPTIMIZER=pieces.CLASSES[t["optimizer"]],
        LR="learning_rate(epoch)" if t["lr_schedule"] == "cosine" else "LR", RNG=", dropout_rng" if drop else "",
        ARGV="    DATA = sys.argv[1] if len(sys.argv) > 1 else DATA\n" if setup.path else "",
        REG="".join(REG[k] for k in reg),
        TOTAL_NOTE="  # the data loss, without the penalty (as nnlab reports it)" if reg else "",
        ES_INIT=ES_INIT if es else "", ES=ES if es else "", ES_END=ES_END if es else "")


def render(setup) -> str:
    n, t = setup.network, setup.train
    output = "linear" if n["loss"] == "cross_entropy" else n["output"]  # the last layer's initializer
    inits = [resolve_init(n["init"], a) for a in [*n["activations"], output]]
    drop = bool(n["dropout"]) and bool(n["hidden"])
    loss, out, out_doc = _loss(n)
    cosine = t["lr_schedule"] == "cosine"
    run = "python this_file.py" + (" [DATA]" if setup.path else "")
    parts = [header_lines(setup, "in NumPy alone (and scikit-learn for the data)", left_out(setup)),
             f"# Needs only NumPy and scikit-learn. Run: {run}", _imports(setup, cosine),
             _banner("the setup"), f"DTYPE = np.{n['dtype']}  # as nnlab", _constants(setup, inits),
             _banner("the data"), _data(setup),
             _banner("the network: activations, weights, forward, backward"), _activations(n),
             _draw(list(dict.fromkeys(inits))), _forward(out, out_doc, drop),
             _banner("the loss and the optimizer"), loss, pieces.OPTIMIZERS[t["optimizer"]],
             pieces.COSINE if cosine else "", _banner("training"), _main(setup, drop)]
    return _tidy("\n".join(parts))


def _banner(title: str) -> str:
    return f"\n\n# {'-' * (90 - len(title))} {title}"


def _tidy(code: str) -> str:
    """At most two blank lines in a row (pieces that are left out leave gaps)."""
    while "\n\n\n\n" in code:
        code = code.replace("\n\n\n\n", "\n\n\n")
    return code
