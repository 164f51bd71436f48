r"""The closed GNC loop of one approach segment, compiled with numba.

Each step: truth zone events, navigation (Kalman filter on CW, or perfect knowledge),
safety monitor (corridor, keep-out and approach-ellipsoid entries, navigation
cross-check, final gate, tracking error), guidance and control (re-targeted CW
two-impulse transfers, PD station keeping and straight-line tracking with CW
feed-forward, pulse accumulation below the minimum impulse bit), thruster model and
propellant, then the truth propagated to the next step. A rule broken means a
collision-avoidance manoeuvre and the end of the segment with an abort status.

References
----------
Fehse (2003), ch. 4-6; Hablani, Tapper & Dana-Bashian (2002), sec. 3-5.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._kernels import (
    AB_AE_ENTRY,
    AB_COLLISION,
    AB_CORRIDOR,
    AB_GATE,
    AB_KOS_OUTSIDE_CORRIDOR,
    AB_NAV_CROSSCHECK,
    AB_NONE,
    AB_PASSIVE,
    AB_PROPELLANT,
    AB_TIMEOUT,
    AB_TRACKING,
    EV_ABORT,
    EV_AE_ENTRY,
    EV_AE_EXIT,
    EV_BURN,
    EV_CAM,
    EV_CONTACT,
    EV_GATE,
    EV_KOS_ENTRY,
    EV_KOS_EXIT,
    EV_PASSIVE,
    H_COLS,
    H_DVA,
    H_DVC,
    H_EST,
    H_MASS,
    H_T,
    H_TRUE,
    MAX_EVENTS,
    MODE_DRIFT,
    MODE_HOLD,
    MODE_STRAIGHT,
    MODE_TRANSFER,
    ST_ABORT,
    ST_CONTACT,
    ST_DONE,
    _basis,
    _burn_mass,
    _cw_accel,
    _cw_stm_nb,
    _in_ae,
    _in_corridor,
    _kf_predict,
    _kf_update,
    _norm3,
    _passive,
    _port_geometry,
    _sched,
    _sigma,
    _thruster,
    _to_lvlh,
    _two_impulse_curv,
    choose_cam,
    propagate_truth,
)

__all__: list[str] = []


# ------------------------------------------------------------------------- GNC loop
@njit(cache=True)
def run_segment(seg, cfg, t0, st, ch, xhat, pcov, mass, noise, xchk_count, flags):
    """Fly one segment in closed loop: navigation, safety monitor, guidance and control
    at ``seg.dt``; the truth is propagated between steps.

    ``flags`` (int64 (3,)): [estimate inside AE, estimate inside KOS, gate done] carried
    across segments. Returns (status, abort reason, t, st, ch, xhat, pcov, mass,
    history rows (k, H_COLS), events (m, 4), xchk_count).
    """
    n = cfg.n
    hist = np.zeros((seg.n_max + 2, H_COLS))
    ev = np.zeros((MAX_EVENTS, 4))
    ne = 0
    status = ST_DONE
    reason = AB_NONE
    t = t0
    s_ref = 0.0
    nb = seg.burn_steps.shape[0]
    ib = 0
    resid = np.zeros(3)
    rel = _to_lvlh(st, ch)
    true_ae = _in_ae(rel[:3], cfg)
    true_kos = _norm3(rel[:3]) < cfg.kos
    k = 0
    for k in range(seg.n_max + 1):
        t = t0 + k * seg.dt
        rel = _to_lvlh(st, ch)
        rng = _norm3(rel[:3])
        # ---- zone events of the truth
        in_ae = _in_ae(rel[:3], cfg)
        in_kos = rng < cfg.kos
        if in_ae != true_ae and ne < MAX_EVENTS:
            ev[ne, 0] = t
            ev[ne, 1] = EV_AE_ENTRY if in_ae else EV_AE_EXIT
            cosang = (rel[0] * cfg.ae_ax + rel[1] * cfg.ae_ay + rel[2] * cfg.ae_az) / max(
                rng, 1e-12
            )
            ev[ne, 2] = 1.0 if cosang >= cfg.ae_cos else 0.0
            ne += 1
        if in_kos != true_kos and ne < MAX_EVENTS:
            ev[ne, 0] = t
            ev[ne, 1] = EV_KOS_ENTRY if in_kos else EV_KOS_EXIT
            ev[ne, 2] = 1.0 if _in_corridor(rel, cfg, 0.0) else 0.0
            ne += 1
        true_ae = in_ae
        true_kos = in_kos
        # ---- navigation
        sig = _sigma(rng, cfg)
        bias = np.zeros(3)
        if t >= cfg.bias_t0:
            bias[0] = cfg.bias_x
            bias[1] = cfg.bias_y
            bias[2] = cfg.bias_z
        if cfg.noise_on != 0.0:
            z = rel[:3] + bias + sig * noise[k, 0:3]
            if seg.mode != MODE_DRIFT or k == 0:
                xhat, pcov = _kf_update(xhat, pcov, z, sig)
        else:
            xhat = rel.copy()
            xhat[:3] += bias
        sig_mon = sig * cfg.mon_scale
        mon = rel[:3] + cfg.noise_on * sig_mon * noise[k, 3:6]
        hist[k, H_T] = t
        hist[k, H_TRUE : H_TRUE + 6] = rel
        hist[k, H_EST : H_EST + 6] = xhat
        hist[k, H_MASS] = mass
        if seg.mode == MODE_DRIFT:
            if k == seg.n_max:
                break
            st, ch = propagate_truth(st, ch, seg.dt, mass, cfg)
            continue
        # ---- safety monitor (decisions on the estimate and the independent monitor)
        est_rng = _norm3(xhat[:3])
        est_ae = _in_ae(xhat[:3], cfg)
        est_kos = est_rng < cfg.kos
        if est_ae and flags[0] == 0:
            cosang = (xhat[0] * cfg.ae_ax + xhat[1] * cfg.ae_ay + xhat[2] * cfg.ae_az) / max(
                est_rng, 1e-12
            )
            if cosang < cfg.ae_cos:
                reason = AB_AE_ENTRY
        flags[0] = 1 if est_ae else 0
        if est_kos and flags[1] == 0:
            if seg.mode != MODE_STRAIGHT or not _in_corridor(xhat, cfg, 0.0):
                reason = AB_KOS_OUTSIDE_CORRIDOR
        flags[1] = 1 if est_kos else 0
        if est_kos and reason == AB_NONE:
            if not _in_corridor(xhat, cfg, 0.0):
                reason = AB_CORRIDOR
            elif not _in_corridor(mon, cfg, 3.0 * sig_mon):
                reason = AB_CORRIDOR
        if rng < cfg.collide and seg.final == 0 and reason == AB_NONE:
            reason = AB_COLLISION
        pvar = max(pcov[0, 0], pcov[1, 1], pcov[2, 2]) if cfg.noise_on != 0.0 else 0.0
        thr = cfg.xchk_k * math.sqrt(pvar + sig_mon * sig_mon) + cfg.xchk_abs
        dx = xhat[:3] - mon
        # the independent monitor (lidar / camera) exists inside the relative-GNSS range
        if _norm3(dx) > thr and rng <= cfg.gnss_range:
            xchk_count += 1
        else:
            xchk_count = 0
        if xchk_count >= cfg.xchk_n and reason == AB_NONE:
            reason = AB_NAV_CROSSCHECK
        if mass <= cfg.prop_min and reason == AB_NONE:
            reason = AB_PROPELLANT
        # ---- guidance and control
        dv = np.zeros(3)
        fmax = cfg.f_rcs
        done = False
        if reason == AB_NONE:
            if seg.mode == MODE_TRANSFER:
                fmax = cfg.f_main
                if ib < nb and k >= seg.burn_steps[ib]:
                    if ib == nb - 1:
                        dv = seg.tgt[3:] - xhat[3:]
                        done = True
                    else:
                        tof = (seg.burn_steps[nb - 1] - k) * seg.dt
                        # mid-course corrections only when well conditioned
                        cmax = 100.0 if ib == 0 else 30.0
                        d1, ok = _two_impulse_curv(n, cfg.r_curv, xhat, seg.tgt, tof, cmax)
                        if ok:
                            dv = d1
                    ib += 1
                    if seg.check_passive != 0 and not done:
                        y = xhat.copy()
                        y[3:] += dv
                        rmin, tmin, _, unsafe = _passive(
                            n, y, cfg.ps_horizon, cfg.ps_step, cfg.kos, cfg.ps_enforce
                        )
                        if ne < MAX_EVENTS:
                            ev[ne, 0] = t
                            ev[ne, 1] = EV_PASSIVE
                            ev[ne, 2] = rmin
                            ev[ne, 3] = tmin
                            ne += 1
                        # enforced on the burn that starts the arc (first trying other
                        # transfer times); mid-course trims of an arc verified at
                        # departure are reported only
                        if unsafe and ib == 1:
                            tof0 = (seg.burn_steps[nb - 1] - k) * seg.dt
                            for f in (0.9, 1.1, 0.8, 1.2, 0.7, 1.3, 1.4, 1.5):
                                steps2 = int(round(f * tof0 / seg.dt))
                                if k + steps2 >= seg.n_max:
                                    continue
                                d1, ok = _two_impulse_curv(
                                    n, cfg.r_curv, xhat, seg.tgt, steps2 * seg.dt, 100.0
                                )
                                if not ok:
                                    continue
                                y = xhat.copy()
                                y[3:] += d1
                                rmin2, tmin2, _, unsafe2 = _passive(
                                    n, y, cfg.ps_horizon, cfg.ps_step, cfg.kos, cfg.ps_enforce
                                )
                                if not unsafe2:
                                    for j in range(1, nb):
                                        seg.burn_steps[j] = k + int(
                                            round(
                                                (seg.burn_steps[j] - k) * steps2 / (tof0 / seg.dt)
                                            )
                                        )
                                    seg.burn_steps[nb - 1] = k + steps2
                                    dv = d1
                                    unsafe = False
                                    ev[ne - 1, 2] = rmin2
                                    ev[ne - 1, 3] = tmin2
                                    break
                        if unsafe and ib == 1:
                            reason = AB_PASSIVE
                            dv[:] = 0.0
            else:
                r_ref = seg.tgt[:3].copy()
                v_ref = seg.tgt[3:].copy()
                if seg.mode == MODE_STRAIGHT:
                    togo = seg.line_len - s_ref
                    spd = _sched(max(togo, 0.0), seg.sched_d, seg.sched_v)
                    if togo <= 0.0 and seg.final == 0:
                        done = True
                    r_ref = seg.line0 + s_ref * seg.line_u
                    v_ref = spd * seg.line_u
                    s_ref += spd * seg.dt
                    err = _norm3(xhat[:3] - r_ref)
                    dport, _, _, _ = _port_geometry(xhat, cfg)
                    if err > cfg.track_abs + cfg.track_rel * max(dport, 0.0):
                        reason = AB_TRACKING
                elif seg.settle_tol > 0.0:
                    if (
                        _norm3(xhat[:3] - r_ref) < seg.settle_tol
                        and _norm3(xhat[3:] - v_ref) < seg.settle_tol / 300.0
                        and k * seg.dt >= seg.min_time
                    ):
                        done = True
                if seg.mode == MODE_HOLD and k >= seg.n_max:
                    done = True
                if not done and reason == AB_NONE:
                    v_des = v_ref + (r_ref - xhat[:3]) / seg.tau_p
                    xd = xhat.copy()
                    xd[3:] = v_des
                    a_ff = _cw_accel(n, xd)
                    dv = (v_des - xhat[3:]) * (seg.dt / seg.tau_v) - a_ff * seg.dt
                    if _norm3(dv) < seg.deadband:
                        dv[:] = 0.0
                    if seg.check_passive != 0 and _norm3(dv) > 0.0:
                        y = xhat.copy()
                        y[3:] += dv
                        rmin, tmin, _, unsafe = _passive(
                            n, y, cfg.ps_horizon, cfg.ps_step, cfg.kos, cfg.ps_enforce
                        )
                        if unsafe:
                            reason = AB_PASSIVE
                            dv[:] = 0.0
            if seg.final != 0 and reason == AB_NONE and flags[2] == 0:
                dport, lat, vcl, latr = _port_geometry(xhat, cfg)
                if dport <= cfg.gate:
                    flags[2] = 1
                    ok = lat <= cfg.gate_lat and latr <= cfg.gate_latrate
                    ok = ok and vcl >= cfg.vmin and vcl <= cfg.vmax
                    if ne < MAX_EVENTS:
                        ev[ne, 0] = t
                        ev[ne, 1] = EV_GATE
                        ev[ne, 2] = 1.0 if ok else 0.0
                        ev[ne, 3] = lat
                        ne += 1
                    if not ok:
                        reason = AB_GATE
        if k >= seg.n_max and not done and reason == AB_NONE:
            reason = AB_TIMEOUT
        if reason != AB_NONE:
            dv = choose_cam(xhat, cfg)
            dva = _thruster(dv, mass, 1e3, 1e9, cfg, noise[k, 10:14], False, False)
            if cfg.exec_on != 0.0:
                dva = _thruster(dva, mass, 1e3, 1e9, cfg, noise[k, 10:14], False, True)
            ch[3:] += _basis(st).T @ dva
            mass -= _burn_mass(mass, dva, cfg)
            hist[k, H_DVC : H_DVC + 3] = dv
            hist[k, H_DVA : H_DVA + 3] = dva
            if ne + 1 < MAX_EVENTS:
                ev[ne, 0] = t
                ev[ne, 1] = EV_CAM
                ev[ne, 2] = _norm3(dva)
                ne += 1
                ev[ne, 0] = t
                ev[ne, 1] = EV_ABORT
                ev[ne, 2] = reason
                ne += 1
            xhat[3:] += _thruster(dv, mass, 1e3, 1e9, cfg, noise[k, 10:14], False, False)
            status = ST_ABORT
            break
        stuck = t >= cfg.stuck_t0 and t < cfg.stuck_t1
        # pulse accumulation (as a pulse-width modulator): commands below the minimum
        # impulse bit are carried over until they add up to a firing.
        cmd = dv + resid
        nom = _thruster(cmd, mass, seg.dt, fmax, cfg, noise[k, 6:10], stuck, False)
        mib_dv = cfg.mib / mass * 1e-3
        for i in range(3):
            ri = cmd[i] - nom[i]
            resid[i] = ri if (abs(ri) < mib_dv and not stuck) else 0.0
        # what the flight software ordered the valves to fire (minimum impulse,
        # quantisation, saturation applied; a stuck valve and the execution errors are
        # unknown to it): the impulse the navigation filter adds
        fired = nom
        if stuck:
            fired = _thruster(cmd, mass, seg.dt, fmax, cfg, noise[k, 6:10], False, False)
        dva = nom
        if cfg.exec_on != 0.0:
            dva = _thruster(nom, mass, seg.dt, 1e12, cfg, noise[k, 6:10], stuck, True)
        if _norm3(dva) > 0.0:
            ch[3:] += _basis(st).T @ dva
            mass -= _burn_mass(mass, dva, cfg)
        hist[k, H_DVC : H_DVC + 3] = dv
        hist[k, H_DVA : H_DVA + 3] = dva
        if seg.mode == MODE_TRANSFER and _norm3(dv) > 0.0 and ne < MAX_EVENTS:
            ev[ne, 0] = t
            ev[ne, 1] = EV_BURN
            ev[ne, 2] = _norm3(dva)
            ne += 1
        # the fired impulse, not the command (issue 14): sub-minimum-impulse commands
        # carried in ``resid`` have not moved the vehicle yet
        xhat[3:] += fired
        if cfg.noise_on != 0.0:
            # execution uncertainty of the burn enters the velocity covariance
            dvv = (cfg.mag_sig * cfg.mag_sig + cfg.pnt_sig * cfg.pnt_sig) * (
                fired[0] * fired[0] + fired[1] * fired[1] + fired[2] * fired[2]
            )
            for i in range(3, 6):
                pcov[i, i] += dvv
        if done:
            break
        # ---- filter time update and truth propagation to the next step
        if cfg.noise_on != 0.0:
            xhat, pcov = _kf_predict(xhat, pcov, n, seg.dt, est_rng, cfg)
        else:
            xhat = _cw_stm_nb(n, seg.dt) @ xhat
        if seg.final != 0:
            nsub = max(1, int(math.ceil(seg.dt / cfg.plant_step - 1e-9)))
            h = seg.dt / nsub
            dprev, _, _, _ = _port_geometry(_to_lvlh(st, ch), cfg)
            hit = False
            for _ in range(nsub):
                st_new, ch_new = propagate_truth(st, ch, h, mass, cfg)
                relnew = _to_lvlh(st_new, ch_new)
                dnew, _, _, _ = _port_geometry(relnew, cfg)
                if dnew <= 0.0:
                    f = dprev / (dprev - dnew)
                    st, ch = propagate_truth(st, ch, f * h, mass, cfg)
                    t += f * h
                    hit = True
                    break
                st = st_new
                ch = ch_new
                t += h
                dprev = dnew
            if hit:
                status = ST_CONTACT
                rel = _to_lvlh(st, ch)
                k += 1
                hist[k, H_T] = t
                hist[k, H_TRUE : H_TRUE + 6] = rel
                hist[k, H_EST : H_EST + 6] = xhat
                hist[k, H_MASS] = mass
                if ne < MAX_EVENTS:
                    ev[ne, 0] = t
                    ev[ne, 1] = EV_CONTACT
                    ne += 1
                break
        else:
            st, ch = propagate_truth(st, ch, seg.dt, mass, cfg)
    return status, reason, t, st, ch, xhat, pcov, mass, hist[: k + 1], ev[:ne], xchk_count
