"""The standalone form's code, in pieces: standalone.py picks the ones a setup needs.

Each piece is plain Python text; `{NAME}` fields are filled with str.format, and
only with repr() of checked values or with other pieces (never with text a user
typed).  Formulas are the ones of hyperparams.SETTINGS (`formula`), the Inside
page and the lessons."""

DIGITS = '''
def load_data():
    """scikit-learn's 8x8 digits split as nnlab splits them: test 33 % (seed 111), then
    validation 40 % of the rest (seed 123) -> 721 / 482 images; pixels 0..16 scaled to 0..1."""
    digits = load_digits()
    X, y = (digits.data / 16.0).astype(DTYPE), digits.target.astype(np.int64)
    X_rest, _, y_rest, _ = train_test_split(X, y, test_size=0.33, random_state=111)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.40, random_state=123)
    return X_train, y_train, X_val, y_val, 10
'''

MNIST = '''
def read_idx(name):
    """One IDX file of the folder DATA (plain or .gz): a magic number whose last byte
    is the number of dimensions, the sizes (big-endian), then the uint8 values."""
    for candidate in (name, name + ".gz", name.replace("-idx", ".idx"), name.replace("-idx", ".idx") + ".gz"):
        path = os.path.join(DATA, candidate)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                raw = f.read()
            raw = gzip.decompress(raw) if raw[:2] == b"\\x1f\\x8b" else raw
            ndim = raw[3]
            shape = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
            return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)
    sys.exit(f"no {{name}}[.gz] in {{DATA}}: give the MNIST folder as the first argument")


def load_data():
    """MNIST's 60,000 training images, pixels 0..255 scaled to 0..1; as in nnlab, the
    last 5,000 (a tenth of a smaller set) are the validation set."""
    images, labels = read_idx("train-images-idx3-ubyte"), read_idx("train-labels-idx1-ubyte")
    X = images.reshape(len(images), -1).astype(DTYPE) / DTYPE(255)
    y = labels.astype(np.int64)
    cut = len(X) - min(5000, len(X) // 10)
    return X[:cut], y[:cut], X[cut:], y[cut:], 10
'''

CSV = '''
def load_data():
    """A labelled CSV file (DATA): one label column, the others numeric features; split as
    nnlab splits it (seeded, stratified): test 20 %, then validation 20 % of the rest."""
    opener = gzip.open if DATA.endswith(".gz") else open
    with opener(DATA, "rt", newline="", encoding="utf-8-sig") as f:
        text = f.read()
    first = text.lstrip().splitlines()[0]
    rows = [r for r in csv.reader(io.StringIO(text.lstrip()), delimiter=max(",;\\t", key=first.count)) if r]
    header = [name.strip().lower() for name in rows[0]]
    names = ("label", "labels", "class", "target", "y", "digit")  # without LABEL: the column named so
    col = header.index(LABEL) if LABEL else next(i for i, name in enumerate(header) if name in names)
    labels = [r[col].strip() for r in rows[1:]]
    X = np.array([[float(v) for j, v in enumerate(r) if j != col] for r in rows[1:]], dtype=DTYPE){SCALE}
    try:  # classes 0..K-1 in sorted order: numbers as numbers, else names
        classes, y = np.unique(np.array(labels, dtype=float).astype(np.int64), return_inverse=True)
    except ValueError:
        classes, y = np.unique(labels, return_inverse=True)
    rows = np.arange(len(y))
    try:
        rest, _ = train_test_split(rows, test_size=0.2, random_state=0, stratify=y)
        train, val = train_test_split(rest, test_size=0.2, random_state=1, stratify=y[rest])
    except ValueError:  # a class too small to be in every part: not stratified
        rest, _ = train_test_split(rows, test_size=0.2, random_state=0)
        train, val = train_test_split(rest, test_size=0.2, random_state=1)
    return X[train], y[train], X[val], y[val], len(classes)
'''

ACTIVATIONS = {
    "sigmoid": '''
def sigmoid(z):  # σ(z) = 1/(1 + e^−z), computed as (1 + tanh(z/2))/2: never overflows
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def sigmoid_derivative(a):  # σ' = σ·(1 − σ), from the output a = σ(z)
    return a * (1.0 - a)
''',
    "tanh": '''
def tanh(z):
    return np.tanh(z)


def tanh_derivative(a):  # tanh' = 1 − tanh², from the output a = tanh(z)
    return 1.0 - a * a
''',
    "relu": '''
def relu(z):  # max(0, z)
    return np.maximum(z, 0.0)


def relu_derivative(a):  # 1 where the unit was active (a > 0), else 0
    return (a > 0).astype(a.dtype)
''',
    "leaky_relu": '''
def leaky_relu(z):  # max(0.01·z, z): never quite "dead"
    return np.maximum(z, 0.01 * z)


def leaky_relu_derivative(a):  # 1 for z > 0, else 0.01 (a has the sign of z)
    return np.where(a > 0, 1.0, 0.01).astype(a.dtype)
''',
    "elu": '''
def elu(z):  # z for z > 0, else e^z − 1
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))


def elu_derivative(a):  # 1 for z > 0, else e^z = a + 1
    return np.where(a > 0, 1.0, a + 1.0).astype(a.dtype)
''',
    "linear": '''
def linear(z):  # no non-linearity
    return z


def linear_derivative(a):
    return np.ones_like(a)
''',
}

INITS = {
    "he_normal": ("N(0, 2/n_in): keeps ReLU activations' variance through depth",
                  "rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))"),
    "glorot_uniform": ("U(−r, r), r = √(6/(n_in + n_out))",
                       "rng.uniform(-np.sqrt(6.0 / (n_in + n_out)), np.sqrt(6.0 / (n_in + n_out)), "
                       "size=(n_in, n_out))"),
    "normal": ("N(0, 0.1²)", "rng.normal(0.0, 0.1, size=(n_in, n_out))"),
}

SOFTMAX_CE = '''
def loss_and_delta(z, y):
    """Softmax p = e^z/Σe^z on the logits z and cross-entropy −mean(log p[true class]).
    For this pairing (and only this one) dL/dz is simply (p − onehot)/n."""
    z = z - z.max(axis=1, keepdims=True)  # the same p, and e^z cannot overflow
    e = np.exp(z)
    sums = e.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = float(np.mean(np.log(sums[:, 0]) - z[rows, y]))  # −log p_y = log Σe^z − z_y
    delta = e / sums
    delta[rows, y] -= 1.0
    return loss, delta / len(y)
'''

MSE = '''
def loss_and_delta(a, y):
    """Mean squared error on the output a: L = mean(‖a − onehot‖²)/2,
    so dL/da = (a − onehot)/n{THROUGH}."""
    diff = a.copy()
    diff[np.arange(len(y)), y] -= 1.0
    loss = float(0.5 * np.sum(diff * diff) / len(y))
    return loss, diff / len(y){OUT_DERIVATIVE}
'''

OPTIMIZERS = {  # one small class each (as nnlab/train/optimizers.py): its state, one step()
    "sgd": """
class SGD:
    \"\"\"SGD: p ← p − lr·g\"\"\"

    def __init__(self, params):
        pass  # no state

    def step(self, params, grads, lr):
        for p, g in zip(params, grads):
            p -= lr * g
""",
    "momentum": """
class Momentum:
    \"\"\"Momentum: v ← μ·v − lr·g;  p ← p + v  (v: a velocity per parameter, from 0)\"\"\"

    def __init__(self, params):
        self.v = [np.zeros_like(p) for p in params]

    def step(self, params, grads, lr):
        for p, g, v in zip(params, grads, self.v):
            v[...] = MOMENTUM * v - lr * g
            p += v
""",
    "nesterov": """
class Nesterov:
    \"\"\"Nesterov momentum, the look-ahead folded in: v ← μ·v − lr·g;  p ← p + μ·v − lr·g\"\"\"

    def __init__(self, params):
        self.v = [np.zeros_like(p) for p in params]

    def step(self, params, grads, lr):
        for p, g, v in zip(params, grads, self.v):
            v[...] = MOMENTUM * v - lr * g
            p += MOMENTUM * v - lr * g
""",
    "rmsprop": """
class RMSprop:
    \"\"\"RMSprop: s ← ρ·s + (1−ρ)·g²;  p ← p − lr·g/(√s + ε)\"\"\"

    def __init__(self, params):
        self.s = [np.zeros_like(p) for p in params]

    def step(self, params, grads, lr):
        for p, g, s in zip(params, grads, self.s):
            s[...] = RHO * s + (1 - RHO) * g ** 2
            p -= lr * g / (np.sqrt(s) + EPS)
""",
    "adam": """
class Adam:
    \"\"\"Adam: m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  m̂ = m/(1−β1^t);  v̂ = v/(1−β2^t);
    p ← p − lr·m̂/(√v̂ + ε)   (t: the number of steps taken)\"\"\"

    def __init__(self, params):
        self.m, self.v, self.t = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params], 0

    def step(self, params, grads, lr):
        self.t += 1
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m[...] = BETA1 * m + (1 - BETA1) * g
            v[...] = BETA2 * v + (1 - BETA2) * g ** 2
            m_hat, v_hat = m / (1 - BETA1 ** self.t), v / (1 - BETA2 ** self.t)
            p -= lr * m_hat / (np.sqrt(v_hat) + EPS)
""",
}
OPTIMIZERS["gd"] = OPTIMIZERS["sgd"].replace("SGD: p", "Gradient descent (one step per epoch on the whole set): p")
CLASSES = {"gd": "SGD", "sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "rmsprop": "RMSprop",
           "adam": "Adam"}

COSINE = '''
def learning_rate(epoch):
    """cosine: lr_t = lr/100 + (lr − lr/100)·(1 + cos(π·t/(T−1)))/2, from LR down to LR/100."""
    if EPOCHS <= 1:
        return LR
    floor = LR / 100
    return floor + 0.5 * (LR - floor) * (1 + math.cos(math.pi * epoch / (EPOCHS - 1)))
'''
