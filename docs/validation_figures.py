"""Draw the validation page's figures at build time: the library against the independent
reference each validation test uses, with the test's own tolerance.

Writes ``docs/images/validation/*.png`` and ``docs/_generated/validation_figures.md``
(one MyST figure and paragraph per figure, included by ``docs/validation.md``). Nothing
here is typed in: the scenarios, reference data (TLEs, flown times) and tolerances are
imported from the test modules under ``tests/validation/``, and every plotted number is
computed when the site is built. Run alone while editing a figure::

    python docs/validation_figures.py [name ...]

which prints the CPU time of each figure (the whole set must stay cheap: it runs in
every documentation build).
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import time
from collections.abc import Callable
from pathlib import Path

import astropy.units as u
import numpy as np
from matplotlib.figure import Figure

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
TESTS = ROOT / "tests"
IMAGES = DOCS / "images" / "validation"
GENERATED = DOCS / "_generated" / "validation_figures.md"
DPI = 110


def _test_module(stem: str):
    """Import ``tests/validation/<stem>.py`` (its constants, scenarios and helpers)."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))  # the tests' own helpers, e.g. phasing_scenario
    name = f"_validation_{stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, TESTS / "validation" / f"{stem}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _anchor(stem: str) -> str:
    """Link to the test file's section of the page (labels of validation_page.py)."""
    return f"[`{stem}.py`](#{stem.replace('_', '-')})"


def _figure(ncols: int = 2, height: float = 4.0, widths=None) -> tuple[Figure, np.ndarray]:
    fig = Figure(figsize=(10.0, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False, width_ratios=widths)[0]
    for ax in axes:
        ax.grid(True, which="major", alpha=0.35)
    return fig, axes


def _length(km: float) -> str:
    """A tolerance in km as the tests name it: 1 m, 1 cm, 1 mm."""
    for unit, scale in (("km", 1.0), ("m", 1e3), ("cm", 1e5), ("mm", 1e6)):
        if km * scale >= 1 - 1e-9:
            return f"{km * scale:g} {unit}"
    return f"{km * 1e9:g} um"


def _legend_below(ax, ncols: int = 1) -> None:
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, ncols=ncols)


def _limit(ax, value: float, label: str, color: str = "k") -> None:
    ax.axhline(value, color=color, lw=1.2, ls=":", label=label)


# --------------------------------------------------------------- propagation
def propagator_vs_references() -> tuple[Figure, str]:
    from astropy.time import TimeDelta
    from boinor.core.perturbations import J2_perturbation
    from boinor.core.propagation import func_twobody
    from boinor.twobody.propagation import CowellPropagator
    from boinor.twobody.sampling import EpochsArray

    from qingzhou_sim.constants import EARTH
    from qingzhou_sim.forces import ForceModel, ZonalGravity
    from qingzhou_sim.propagator import Propagator

    kep = _test_module("test_propagator_vs_kepler")
    cow = _test_module("test_propagator_vs_boinor_cowell")
    t_s = np.linspace(0.0, kep.DAY_S, 97)[1:]  # every 15 min; the start is exact
    epochs = kep.EPOCH + t_s * u.s
    hours = t_s / 3600.0
    fig, (left, right) = _figure(height=5.6)
    colors = dict(zip(kep.ORBITS, ("C0", "C1"), strict=True))

    def err_m(a_km, b_km):
        return np.maximum(np.linalg.norm(a_km - b_km, axis=-1), 1e-12) * 1e3

    for name, state in kep.ORBITS.items():
        analytic = Propagator(method="kepler").propagate(state, epochs).r_km
        for kw, ls, how in (({}, "-", "default tolerances"), ({"rtol": 1e-12, "atol": 1e-12}, "--", "rtol = atol = 1e-12")):  # fmt: skip
            numeric = Propagator(ForceModel.two_body(), **kw).propagate(state, epochs).r_km
            left.semilogy(hours, err_m(numeric, analytic), ls, color=colors[name], label=f"{name}, {how}")  # fmt: skip
    _limit(left, kep.CM * 1e3, f"test limit, default tolerances ({_length(kep.CM)})")
    _limit(left, kep.MM * 1e3, f"test limit, rtol 1e-12 ({_length(kep.MM)})", "0.45")

    def inc_deg(state):
        return f"{state.elements().inc.to_value(u.deg).item():.2f} deg"

    def j2_rhs(t0, y, k):  # boinor's J2 with our R and J2, as in the test
        ax, ay, az = J2_perturbation(t0, y, k, J2=EARTH.j2, R=EARTH.radius_km)
        return func_twobody(t0, y, k) + np.array([0.0, 0.0, 0.0, ax, ay, az])

    state = cow.State.from_elements(
        cow.EPOCH, a=(EARTH.radius_km + 390) * u.km, inc=41.47 * u.deg, nu=5 * u.deg
    )  # the test's orbit
    epochs_j2 = cow.EPOCH + TimeDelta(t_s * u.s)
    fm = ForceModel(gravity=ZonalGravity(max_degree=2), pole="gcrs-z")
    ours = Propagator(fm).propagate(state, epochs_j2).r_km
    sampler = EpochsArray(epochs_j2, method=CowellPropagator(rtol=1e-12, f=j2_rhs))
    theirs = state.to_orbit().to_ephem(sampler).rv()[0].to_value(u.km)
    right.semilogy(hours, err_m(ours, theirs), color="C2", label=f"J2, 390 km circular, i = {inc_deg(state)}: ours vs boinor Cowell")  # fmt: skip
    _limit(right, cow.M * 1e3, f"test limit after 1 day ({_length(cow.M)})")
    left.set_title("two-body DOP853 vs analytic Kepler")
    right.set_title("J2 against boinor's Cowell propagator")
    for ax in (left, right):
        ax.set_xlabel("time since epoch [h]")
        ax.set_ylabel("position difference [m]")
        ax.set_xlim(0, 24)
        ax.set_xticks(range(0, 25, 4))
        ax.set_ylim(1e-9, 10)
        _legend_below(ax)
    text = (
        "Position difference over one day. Left: the project's DOP853 integrator "
        "(two-body) against the analytic Kepler solution on the test's orbits ("
        f"{' and '.join(kep.ORBITS)}, i = {inc_deg(next(iter(kep.ORBITS.values())))}), with the default tolerances and with "
        f"rtol = atol = 1e-12; the tests require less than {_length(kep.CM)} and "
        f"{_length(kep.MM)} over the day (the Kepler solution is itself checked against "
        f"boinor's Farnocchia propagator to {_length(kep.MM)} in the same test; not drawn: "
        "compiling boinor's kernels would cost the build 10 s). Right: our J2 integration "
        "against boinor's Cowell propagator (an independent library) with the same R and "
        f"J2 (limit {_length(cow.M)} after one day). Tests: "
        f"{_anchor('test_propagator_vs_kepler')}, {_anchor('test_propagator_vs_boinor_cowell')}."
    )
    return fig, text


def j2_secular_rates() -> tuple[Figure, str]:
    from qingzhou_sim.constants import EARTH
    from qingzhou_sim.forces import ForceModel, ZonalGravity
    from qingzhou_sim.propagator import Propagator
    from qingzhou_sim.state import State, _rv_to_elements

    j2 = _test_module("test_propagator_j2_secular_rates")
    state = State.from_elements(
        j2.EPOCH, a=7000 * u.km, ecc=0.02 * u.one, inc=41.47 * u.deg, raan=20 * u.deg,
        argp=30 * u.deg,
    )  # the test's orbit  # fmt: skip
    t = np.arange(0.0, 10 * 86400.0, 120.0)
    traj = Propagator(ForceModel(gravity=ZonalGravity(max_degree=2))).propagate(
        state, j2.EPOCH + t * u.s
    )
    el = _rv_to_elements(EARTH.mu_km3_s2, traj.r_km, traj.v_km_s)
    a, e, i = el[:, 0].mean(), el[:, 1].mean(), el[:, 2].mean()
    n = np.sqrt(EARTH.mu_km3_s2 / a**3)
    k = n * EARTH.j2 * (EARTH.radius_km / (a * (1 - e**2))) ** 2
    analytic = {"RAAN": -1.5 * k * np.cos(i), "argument of perigee": 0.75 * k * (4 - 5 * np.sin(i) ** 2)}  # fmt: skip
    days = t / 86400.0
    fig, (left, right) = _figure()
    rel = {}
    for (name, rate), col, color in zip(analytic.items(), (3, 4), ("C0", "C1"), strict=True):
        angle = np.unwrap(el[:, col])
        fit_rate, fit_0 = np.polyfit(t, angle, 1)
        rel[name] = (fit_rate - rate) / abs(rate)
        left.plot(days, np.rad2deg(angle - angle[0]), color=color, lw=0.8, alpha=0.8, label=f"{name}, osculating (integrated)")  # fmt: skip
        left.plot(days, np.rad2deg(fit_0 - angle[0] + rate * t), "k--", lw=1.6)
    left.plot([], [], "k--", lw=1.6, label="analytic secular rates (Vallado eq. 9-41)")
    left.set_xlabel("time since epoch [days]")
    left.set_ylabel("change since epoch [deg]")
    left.set_ylim(-90, 80)
    left.set_title("drift over 10 days, a = 7000 km, e = 0.02, i = 41.47 deg")
    left.legend(loc="lower left", fontsize=8)
    names = list(rel)
    y = [100 * rel[nm] for nm in names]
    right.bar(names, y, color=["C0", "C1"], width=0.5, label="fitted rate vs analytic rate")
    right.axhspan(-100 * j2.REL, 100 * j2.REL, color="0.85", zorder=0, label=f"test tolerance ±{100 * j2.REL:.1f} %")  # fmt: skip
    right.axhline(0, color="k", lw=0.8)
    right.set_ylim(-200 * j2.REL, 200 * j2.REL)
    right.set_ylabel("(fitted - analytic) / |analytic| [%]")
    right.set_title("relative error of the secular rates")
    right.legend(loc="upper right", fontsize=8)
    for x, v in enumerate(y):
        right.annotate(f"{v:+.3f} %", (x, v), xytext=(0, 4 if v >= 0 else -12), textcoords="offset points", ha="center", fontsize=9)  # fmt: skip
    text = (
        "J2 secular drift of the node and the perigee: the slope of a straight-line fit "
        "of the integrated osculating angles over 10 days (about 150 revolutions) against "
        "Vallado (2013) eq. 9-41 with the mean a, e, i of the same run. The dashed lines "
        "start at the fitted intercept and run at the analytic rate; the bars are the "
        f"relative errors of the rates (RAAN {100 * rel['RAAN']:+.3f} %, argument of "
        f"perigee {100 * rel['argument of perigee']:+.3f} %), the test allows "
        f"{100 * j2.REL:.1f} %. Test: {_anchor('test_propagator_j2_secular_rates')}."
    )
    return fig, text


# ----------------------------------------------------------- relative motion
def cw_vs_truth() -> tuple[Figure, str]:
    from qingzhou_sim.frames import lvlh_to_gcrs
    from qingzhou_sim.relative import propagate_relative, relative_truth

    cw = _test_module("test_relative_cw_vs_truth")
    target = cw.State.from_elements(
        cw.EPOCH, a=6768.137 * u.km, inc=41.5 * u.deg, raan=30 * u.deg, argp=0 * u.deg,
        nu=20 * u.deg,
    )  # the test's target fixture  # fmt: skip
    period = target.period.to_value(u.s)
    t = np.linspace(0.0, 3 * period, 601)[1:] * u.s
    fig, (ax,) = _figure(1, 4.2)
    numbers = []
    for k, (name, (r0, one, three)) in enumerate(cw.CASES.items()):
        chaser = lvlh_to_gcrs(target, r0 * u.km, [0, 0, 0] * u.km / u.s)
        truth = relative_truth(target, chaser, t)
        model = propagate_relative(r0 * u.km, [0, 0, 0] * u.km / u.s, t, target=target)
        err = np.linalg.norm(truth.r_km - model.r_km, axis=-1) * 1e3
        orbits = t.to_value(u.s) / period
        color = f"C{k}"
        ax.semilogy(orbits, err, color=color, label=f"{name}: |CW - truth|")
        for x, (lo, hi) in ((1, one), (3, three)):
            dx = 0.04 * (k - 1)
            ax.plot([x + dx] * 2, [lo * 1e3, hi * 1e3], color=color, lw=5, alpha=0.35, solid_capstyle="butt")  # fmt: skip
        numbers.append(f"{name} {err[orbits <= 1].max():.0f} m / {err.max():.0f} m")
    ax.plot([], [], color="0.5", lw=5, alpha=0.35, label="test bounds on the maximum error up to 1 and 3 orbits")  # fmt: skip
    ax.set_xlabel("time since the chaser is placed [orbits of the target, 92.4 min]")
    ax.set_ylabel("position difference [m]")
    ax.set_xlim(0, 3.15)
    ax.set_ylim(1e-3, 1e4)
    ax.set_title("Clohessy-Wiltshire vs nonlinear truth (two J2-J4 + drag propagations)")
    ax.legend(loc="lower right", fontsize=8)
    text = (
        "Relative position from the Clohessy-Wiltshire solution against the nonlinear "
        "truth (chaser and station each propagated with J2-J4 and drag, rtol = 1e-12, "
        "differenced in the station's LVLH) for a chaser placed at rest 1 km and 10 km "
        "behind and 1 km below Tiangong's 390 km orbit. The test pins the maximum error "
        "after one and after three orbits to the shaded bars (the order of magnitude, a "
        "factor of about 3 either side of the measured value); measured now, maximum "
        f"after 1 / 3 orbits: {'; '.join(numbers)}. Test: {_anchor('test_relative_cw_vs_truth')}."
    )
    return fig, text


# ------------------------------------------------------------------ attitude
def rigid_body() -> tuple[Figure, str]:
    from qingzhou_sim.docking import bodies as B
    from qingzhou_sim.docking._quat import qdcm, qfrom_rotvec

    rb = _test_module("test_attitude_rigid_body")
    fig, (left, right) = _figure(height=4.6)
    # torque-free: the test's body and rates, sampled every minute over the hour
    inertia = rb._tensor()
    inv = np.linalg.inv(inertia)
    x = np.zeros(B.A_N)
    x[B.A_Q] = 1.0
    x[B.A_W : B.A_W + 3] = [0.02, -0.035, 0.05]  # rad/s, the test's initial rates

    def momentum_energy(y):
        w = y[B.A_W : B.A_W + 3]
        return qdcm(y[B.A_Q : B.A_Q + 4]) @ inertia @ w, 0.5 * w @ inertia @ w

    h0, e0 = momentum_energy(x)
    minutes = np.arange(1, 61)
    dh, de = [], []
    for _ in minutes:
        x = B.propagate_attitude(x, 60.0, 0.05, inertia, inv, 0.0, 0.0, np.zeros(3))
        h, e = momentum_energy(x)
        dh.append(np.linalg.norm(h - h0) / np.linalg.norm(h0))
        de.append(abs(e - e0) / e0)
    floor = 1e-17  # exact agreement drawn at the bottom of the log axis
    left.semilogy(minutes, np.maximum(dh, floor), "o-", ms=3, label="angular momentum |H - H0| / |H0| (inertial)")  # fmt: skip
    left.semilogy(minutes, np.maximum(de, floor), "s-", ms=3, label="kinetic energy |E - E0| / E0")
    _limit(left, rb.REL, f"test limit after 1 h ({rb.REL:.0e})")
    left.set_ylim(1e-17, 1e-7)
    left.set_xlim(0, 61)
    left.set_xlabel("time [min]")
    left.set_ylabel("relative drift [-]")
    left.set_title("torque-free asymmetric body, 0.05 s steps")
    _legend_below(left)
    # gravity-gradient pitch libration: the test's body, 0.01 rad initial pitch
    ix, iy, iz = 300.0, 250.0, 100.0
    inertia = np.diag([ix, iy, iz])
    inv = np.linalg.inv(inertia)
    wp = rb.N_ORB * np.sqrt(3 * (ix - iz) / iy)  # Wie (2008) ch. 6, small pitch
    x = B.initial_state(qfrom_rotvec(np.array([0.0, 0.01, 0.0])), np.zeros(3), rb.N_ORB)
    step = 10.0
    t = np.arange(0.0, 3 * 2 * np.pi / wp, step)
    pitch = np.empty(t.size)
    for k in range(t.size):
        pitch[k] = 2 * x[B.A_Q + 2]
        x = B.propagate_attitude(x, step, 2.0, inertia, inv, rb.N_ORB, 3 * rb.N_ORB**2, np.zeros(3))  # fmt: skip
    s = np.sign(pitch)
    idx = np.nonzero(s[1:] != s[:-1])[0]
    tz = t[idx] - pitch[idx] * step / (pitch[idx + 1] - pitch[idx])
    ratio = 2 * np.mean(np.diff(tz)) / (2 * np.pi / wp)
    right.plot(t / 60, pitch * 1e3, color="C0", lw=2.5, alpha=0.6, label="integrated (gravity-gradient torque)")  # fmt: skip
    right.plot(t / 60, 10.0 * np.cos(wp * t), "k--", lw=1.0, label="analytic small-pitch libration")
    right.set_xlabel("time [min]")
    right.set_ylabel("pitch angle [mrad]")
    right.set_ylim(-12, 12)
    right.set_yticks(range(-10, 11, 5))
    right.set_title("gravity-gradient pitch libration, 390 km orbit")
    right.plot([], [], " ", label=f"period: integrated / analytic - 1 = {ratio - 1:.1e}")
    _legend_below(right)
    text = (
        "The truth attitude dynamics of the docking loop against analytic rigid-body "
        "results. Left: a torque-free asymmetric body (principal axes not the body "
        "axes, rates of a few deg/s) keeps its inertial angular momentum and its kinetic "
        f"energy; after one hour the drifts are {dh[-1]:.1e} and {de[-1]:.1e}, the test "
        f"allows {rb.REL:.0e}. Right: small pitch oscillation in a 390 km orbit under the "
        "gravity-gradient torque against the libration of Wie (2008) ch. 6, "
        r"$I_y \ddot\theta + 3 n^2 (I_x - I_z) \theta = 0$; the zero-crossing period differs from the "
        f"analytic one by {ratio - 1:.1e} (test limit 1e-4). "
        f"Test: {_anchor('test_attitude_rigid_body')}."
    )
    return fig, text


# ---------------------------------------------------------------- navigation
def navigation_nees() -> tuple[Figure, str]:
    nees = _test_module("test_navigation_nees")
    runs = nees._attitude_runs()
    defaults = {k: p.default for k, p in inspect.signature(nees._attitude_runs).parameters.items()}
    t = np.arange(runs.shape[1]) * defaults["dt"]  # s
    fig, axes = _figure()
    numbers = []
    for ax, col, dof, what in zip(axes, (0, 1), (3, 6), ("attitude", "attitude + gyro bias"), strict=True):  # fmt: skip
        avg = runs[:, :, col].mean(axis=0)
        lo, hi = nees._bounds(dof)
        outside, mean = nees._outside(runs[:, :, col], dof)
        ax.axhspan(lo, hi, color="0.85", label=f"chi-square 95 % band [{lo:.2f}, {hi:.2f}]")
        ax.axhline(dof, color="k", lw=0.8, ls=":", label=f"expected value {dof}")
        ax.plot(t, avg, color="C0", lw=0.9, label=f"{nees.RUNS}-run average NEES ({outside:.0%} of steps outside)")  # fmt: skip
        ax.set_xlabel("time [s]")
        ax.set_ylabel(f"average NEES ({dof} degrees of freedom) [-]")
        ax.set_title(f"MEKF {what}: mean over time {mean:.2f}")
        ax.set_xlim(0, t[-1])
        ax.set_ylim(0, 2.2 * dof)
        ax.legend(loc="upper right", fontsize=8)
        numbers.append(f"{what} {mean:.2f} ({outside:.0%} of steps outside)")
    text = (
        "Consistency of the navigation filter's attitude estimator (multiplicative "
        f"Kalman filter with gyro bias): the normalised estimation error squared averaged "
        f"over {nees.RUNS} noisy runs, against a truth computed in closed form (a body "
        "spinning at a known constant rate), gyro samples every "
        f"{defaults['dt']:g} s and star-tracker updates every "
        f"{defaults['dt'] * defaults['star_every']:g} s. "
        "Bar-Shalom, Li & Kirubarajan (2001) sec. 5.4.2: N times the N-run average is "
        "chi-square with N n degrees of freedom; the grey band is its two-sided 95 % "
        f"interval. The test asks that the mean lies in the band and that at most "
        f"{nees.OUTSIDE_MAX:.0%} of the steps leave it (neighbouring steps share the same "
        f"runs, so they leave together). Measured: {'; '.join(numbers)}. The translation "
        "scenarios of the same test (GNSS, lidar, camera) are not drawn here: they cost "
        f"more build time than the page is allowed. Test: {_anchor('test_navigation_nees')}."
    )
    return fig, text


# ----------------------------------------------------- flown missions, launches
def launch_vs_liftoffs() -> tuple[Figure, str]:
    from astropy.time import Time

    from qingzhou_sim.launch import Target, launch_windows

    lw = _test_module("test_launch_sz12_vs_tle")
    cases = (  # (flight, TLE, historical liftoff, site, tolerance): from the test
        ("Shenzhou-12", lw.TIANHE_2021_06_01, "2021-06-17T01:22:27", "jiuquan", lw.FEW_MINUTES_S),
        ("Shenzhou-13", lw.TIANHE_2021_10_22, "2021-10-15T16:23:56", "jiuquan", lw.FEW_MINUTES_S),
        ("Tianzhou-2", lw.TIANHE_2021_06_01, "2021-05-29T12:55:29", "wenchang", lw.WENCHANG_LIFTOFF_TOL_S),
    )  # fmt: skip
    fig, (ax,) = _figure(1, 3.6)
    labels, diffs = [], []
    for flight, tle, liftoff, site, _ in cases:
        historical = Time(liftoff, scale="utc")
        target = Target.from_tle(*tle, name="CSS (TIANHE)")
        windows = launch_windows(historical - 12 * u.hour, 24 * u.hour, target=target, site=site)
        w = lw._nearest(windows, historical)
        diffs.append((historical - w.liftoff).to_value(u.s))
        labels.append(f"{flight}\n{site.capitalize()}, {liftoff[:10]}")
    tols = [c[-1] for c in cases]
    y = np.arange(len(cases))
    for yi, tol in zip(y, tols, strict=True):  # each flight's own tolerance
        ax.fill_betweenx([yi - 0.4, yi + 0.4], -tol, tol, color="0.85", lw=0)
    ax.fill_between([], [], color="0.85", label="test tolerance (" + ", ".join(sorted({f"±{t:.0f} s" for t in tols})) + ")")  # fmt: skip
    ax.axvline(0, color="k", lw=0.8)
    ax.plot(diffs, y, "o", color="C3", ms=8, label="real liftoff - computed liftoff")
    for yi, d in zip(y, diffs, strict=True):
        ax.annotate(f"{d:+.0f} s", (d, yi), xytext=(0, 8), textcoords="offset points", ha="center")  # fmt: skip
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.7, len(cases) - 0.2)
    ax.set_xlim(-2 * max(tols), 2 * max(tols))
    ax.invert_yaxis()
    ax.set_xlabel("real liftoff - computed liftoff [s]")
    ax.set_title("launch windows from Tianhe TLEs vs real liftoffs")
    ax.legend(loc="lower right", fontsize=8)
    text = (
        "Launch windows computed from public two-line element sets of the Tianhe core "
        "module (NORAD 48274, 7 to 15 days old) against the real liftoffs of Shenzhou-12, "
        "Shenzhou-13 (Jiuquan: liftoff at the in-plane instant) and Tianzhou-2 (Wenchang: "
        f"half-ascent lead); the test allows {lw.FEW_MINUTES_S:.0f} s at Jiuquan and "
        f"{lw.WENCHANG_LIFTOFF_TOL_S:.0f} s at Wenchang. "
        f"Test: {_anchor('test_launch_sz12_vs_tle')}."
    )
    return fig, text


def schemes_vs_flown() -> tuple[Figure, str]:
    from qingzhou_sim.mission.schemes import (
        SCHEMES,
        approach_profile_for,
        scheduled_approach_time,
    )
    from qingzhou_sim.vehicles import KINETICA_2

    sc = _test_module("test_schemes_vs_flown")
    fig, (ax, ax2) = _figure(widths=(3, 1))
    rows = []
    for name, port in sc.FLOWN_S:  # as the test's fixture: planner + scheduled approach
        prof, plan = sc._plan(name, port)
        approach = approach_profile_for(name, port)
        close_s = scheduled_approach_time(approach, prof.handover_r_lvlh.to_value(u.m)).value
        total_s = KINETICA_2.ascent_duration_s + plan.duration.to_value(u.s) + close_s
        flown_s = sc.FLOWN_S[name, port]
        rows.append((name, port, total_s, flown_s))

    def label(name, port, flown_s):
        h, m = divmod(round(flown_s / 60), 60)
        flights = [
            f.flight
            for f in SCHEMES[name].flights
            if f.port == port and f.liftoff_to_docking_s == flown_s
        ]  # the flights of the library's scheme table that the test's time is
        who = flights[0] + "".join("/" + f.rsplit("-", 1)[-1] for f in flights[1:])
        return f"{name}, {port}\n{who}\nflown {h} h {m:02d}"

    fast = [r for r in rows if r[0] != "two-day"]
    slow = [r for r in rows if r[0] == "two-day"]
    for axis, group, tol in ((ax, fast, sc.FIVE_MIN_S), (ax2, slow, sc.ONE_HOUR_S)):
        x = np.arange(len(group))
        d = [(total - flown) / 60 for _, _, total, flown in group]
        axis.axhspan(-tol / 60, tol / 60, color="0.85", label=f"test tolerance ±{tol / 60:.0f} min")
        axis.axhline(0, color="k", lw=0.8)
        axis.plot(x, d, "o", color="C0", ms=8, label="simulated - flown")
        for xi, di in zip(x, d, strict=True):
            axis.annotate(f"{di:+.1f} min", (xi, di), xytext=(0, 9), textcoords="offset points", ha="center", fontsize=9, bbox={"fc": "white", "ec": "none", "pad": 0.5})  # fmt: skip
        axis.set_xticks(x, [label(n, p, f) for n, p, _, f in group], fontsize=8)
        axis.set_xlim(-0.5, len(group) - 0.3)
        axis.set_ylim(-2.4 * tol / 60, 2.4 * tol / 60)
        axis.set_ylabel("liftoff to docking, simulated - flown [min]")
        axis.legend(loc="upper left", fontsize=8)
    ax.set_title(f"fast schemes (tolerance {sc.FIVE_MIN_S / 60:.0f} min)")
    ax2.set_title(f"two-day scheme ({sc.ONE_HOUR_S / 3600:.0f} h)")
    flights = ", ".join(label(n, p, f).split("\n")[1] for n, p, _, f in rows)
    text = (
        "Liftoff-to-docking time of each flown Chinese rendezvous scheme: Kinetica-2 "
        "ascent, then the phasing planner flown with the full force model from insertion "
        "to the hand-over point, then the approach profile's scheduled close range, "
        f"against the published times ({flights}; sources in the test). The test asks "
        f"for {sc.FIVE_MIN_S / 60:.0f} min (two-day scheme: {sc.ONE_HOUR_S / 3600:.0f} h); "
        f"the largest difference of a fast scheme is {max(abs(r[2] - r[3]) for r in rows if r[0] != 'two-day') / 60:.1f} min. "
        "The end-to-end flights of the mission catalogue "
        f"({_anchor('test_catalogue_vs_flown')}, six-degree-of-freedom approach included) "
        "are too slow to fly at every documentation build and are not drawn. "
        f"Test: {_anchor('test_schemes_vs_flown')}."
    )
    return fig, text


FIGURES: dict[str, Callable[[], tuple[Figure, str]]] = {
    "propagator_vs_references": propagator_vs_references,
    "j2_secular_rates": j2_secular_rates,
    "cw_vs_truth": cw_vs_truth,
    "rigid_body": rigid_body,
    "navigation_nees": navigation_nees,
    "launch_vs_liftoffs": launch_vs_liftoffs,
    "schemes_vs_flown": schemes_vs_flown,
}


def write_validation_figures(
    images: Path = IMAGES, out: Path = GENERATED, names=None
) -> dict[str, float]:
    """Draw the figures into ``images`` (under docs/) and their MyST blocks into ``out``;
    return the CPU seconds of each figure."""
    images.mkdir(parents=True, exist_ok=True)
    blocks, cpu = [], {}
    for name, draw in FIGURES.items():
        if names and name not in names:
            continue
        start = time.process_time()
        fig, text = draw()
        fig.savefig(images / f"{name}.png", dpi=DPI)
        cpu[name] = time.process_time() - start
        path = images.relative_to(DOCS) / f"{name}.png"  # the page is docs/validation.md
        blocks.append(f":::{{figure}} {path.as_posix()}\n:name: fig-{name.replace('_', '-')}\n:alt: {name.replace('_', ' ')}\n\n{text}\n:::\n")  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(blocks), encoding="utf-8")
    return cpu


if __name__ == "__main__":
    start = time.process_time()
    seconds = write_validation_figures(names=sys.argv[1:] or None)
    for key, value in seconds.items():
        print(f"{key:28s} {value:6.1f} s CPU")
    print(f"{'total (imports included)':28s} {time.process_time() - start:6.1f} s CPU")
