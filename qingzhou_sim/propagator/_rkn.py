r"""Runge-Kutta-Nystrom 12(10) kernels for r'' = f(t, r): tableau, steps, arcs.

For velocity-independent forces (point mass, zonal harmonics, Sun and Moon) the
equations of motion are second order, r'' = f(t, r), and a Nystrom method integrates
them directly: each stage evaluates the acceleration alone, and position and velocity
are advanced by their own weights. The embedded pair of Dormand, El-Mikkawy and Prince,
of orders 12 and 10 with 17 stages, takes far longer steps than DOP853 at the same
accuracy in near-circular orbits (Montenbruck & Gill 2000, sec. 4.2.3 and Fig. 4.6).

Plain float64 arrays in km, km/s and s; ``cache=True``; ``error_model="numpy"`` as the
other kernels. Drag depends on the velocity: a force model with drag uses DOP853.

Outputs between steps are computed by a separate step from the start of the step that
contains them to the output time (the pair has no continuous extension); the
integration itself never depends on which outputs were asked for.

References
----------
Dormand, J. R., El-Mikkawy, M. E. A. & Prince, P. J. (1987), "High-order embedded
Runge-Kutta-Nystrom formulae", *IMA J. Numer. Anal.* 7, 423-430 (the RKN12(10)17M
tableau; the rationals below as tabulated in OrdinaryDiffEq.jl's ``DPRKN12Tableau``,
MIT licence, checked here against the order conditions in
``tests/test_propagator_methods.py``). Hairer, Norsett & Wanner (1993), sec. II.14
(Nystrom methods, order conditions) and II.4 (step-size control).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from numba import njit, prange

from ..forces import _rhs_into
from ._dop853 import (
    _NOT_FINITE,
    _OK,
    _REENTRY,
    _STEP_TOO_SMALL,
    _TOO_MANY_STEPS,
    _copy6,
    _finite6,
    _next_impulse,
    _radius,
)
from ._stepsize import _MAX_REJECTS, _control, _min_step, _step_end

# --------------------------------------------------------------------------- tableau
# Stage i (1-based, as in the paper): t + c_i h, r + c_i h v + h^2 sum_j a_ij k_j.
# Solution: r + h v + h^2 sum b_i k_i, v + h sum b'_i k_i (order 12); the embedded
# order-10 solution uses bh, bph. Entries not listed are zero.
# fmt: off
_A_RAT = {
    (2, 1): "1/5000",
    (3, 1): "1/3750",
    (3, 2): "1/1875",
    (4, 1): "7/2400",
    (4, 2): "-1/240",
    (4, 3): "1/160",
    (5, 1): "2/1215",
    (5, 3): "4/729",
    (5, 4): "32/18225",
    (6, 1): "152/78125",
    (6, 3): "1408/196875",
    (6, 4): "2048/703125",
    (6, 5): "432/546875",
    (7, 1): "29/51200",
    (7, 3): "341/387072",
    (7, 4): "-151/345600",
    (7, 5): "243/716800",
    (7, 6): "-11/110592",
    (8, 1): "37/12000",
    (8, 4): "2/1125",
    (8, 5): "27/10000",
    (8, 6): "5/3168",
    (8, 7): "224/20625",
    (9, 1): "100467472123373/27511470744477696",
    (9, 3): "101066550784375/25488568483854336",
    (9, 4): "49478218404275/15475202293768704",
    (9, 5): "21990175014231/2674726322379776",
    (9, 6): "-3576386017671875/2723635603703291904",
    (9, 7): "16163228153/1654104722787",
    (9, 8): "38747524076705/10316801529179136",
    (10, 1): "62178936641284701329/16772293867250014666848",
    (10, 3): "46108564356250/9072835168325103",
    (10, 4): "1522561724950/1296119309760729",
    (10, 5): "-45978886013453735443/2174186242050927827184",
    (10, 6): "299403512366617849203125/4981371278573254356053856",
    (10, 7): "15571226634087127616/774466927638876610083",
    (10, 8): "-133736375367792139885/4717207650164066625051",
    (10, 9): "7461389216/501451974639",
    (11, 1): "501256914705531962342417557181/14270506505142656332600844507392",
    (11, 3): "-1143766215625/132752960853408",
    (11, 4): "-6864570325/1185294293334",
    (11, 5): "194348369382310456605879163404183/99893545535998594328205911551744",
    (11, 6): "-94634958447010580589908066176109375/27549212808177898050085930321520256",
    (11, 7): "-17006472665356285286219618514/155584463413110817059022733377",
    (11, 8): "33530528814694461893884349656345/14270506505142656332600844507392",
    (11, 9): "-13439782155791134368/17777268379678341919",
    (11, 10): "1441341768767571/13159456712985856",
    (12, 1): "105854110734231079069010159870911189747853/5156624149476760916008179453333467046288864",
    (12, 3): "-144579793509250000/19842290513127000261",
    (12, 4): "-101935644099967250/48188419817594143491",
    (12, 5): "1585474394319811696785932424388196965/1709257457318830856936350991091849456",
    (12, 6): "-843499776333774172853009613469456309715703125/510505790798199330684809765880013237582597536",
    (12, 7): "-15057703799298260121553794369056896088480/714327132646734138085088291809720015274157",
    (12, 8): "1749840442221344572962864758990584360232600/1450300542040339007627300471250037606768743",
    (12, 9): "-11255775246405733991656178432768/27206626483067760480757659602193",
    (12, 10): "669010348769579696/7368057640845834597",
    (12, 11): "4598083098752/858563707934367",
    (13, 1): "-1639758773684715326849438048667467886824967397/11447568726280607813664651120965112496134881280",
    (13, 3): "3942453384375/314673684985856",
    (13, 4): "11737114158175/1719466921529856",
    (13, 5): "-23710715033675876683332701739887457/4940189888325748664958546898558976",
    (13, 6): "498150575499633273684774666731162498301909124515625/87415924307623977386706008889913792042985180430336",
    (13, 7): "64881557768202140428371179540010005713998551/85896810580242200654071863296887242202224768",
    (13, 8): "-2336309182318568698279006266321563486172654055/18316109962048972501863441793544179993815810048",
    (13, 9): "-493399374030747471036018890494175/251658285736841065236836942273664",
    (13, 10): "418285003077108927126515545155/455369916679568501838710898688",
    (13, 11): "-15171723902781457/63532954684873728",
    (13, 12): "1501203688494867/9434957026426880",
    (14, 1): "34188549803371802849576690267872548602326398788953/42496542183406636759747616530102745233754251202880",
    (14, 3): "-18971246281693750/1138830954584356089",
    (14, 4): "-59230464334542700/2765732318276293359",
    (14, 5): "5147939981309774383134903239728881770043/305929030949718561059100251282184099064",
    (14, 6): "-3625720213550267723370658302114678215563058405229078120/324512095420929759624784749347170583153994213035432256",
    (14, 7): "-60305503318319653518547439098565661266182518307816/17856872599361492097414471889911176856851308259643",
    (14, 8): "-1036461878759982363277481306266144563833492657780645/67994467493450618815596186448164392374006801924608",
    (14, 9): "128398681100219349205889126776607047000/7473801441221286756994805323613917077",
    (14, 10): "-49156374556350058671822606102117/9039888303968618912866414995904",
    (14, 11): "12253036339964386945/8828680926314891943",
    (14, 12): "-647188390508758231059/1092148506009694282240",
    (14, 13): "10915833599872/368729913707897",
    (15, 1): "-4939337286263213195547765488387521892799075623007291241961609516532/5408250052307451520718178852915698257207815452080611897685945761264",
    (15, 3): "7588799849596321243074032368290625/3147217749590114939838670370597819616",
    (15, 4): "16870665568420512953501332587233725/955405388268427749593882076788623812",
    (15, 5): "-808642515918378014850308582271476014669568437579087796060/54447992506702009927986632715967769032585338753056786562",
    (15, 6): "4610328329649866588704236006423149172472141907645890762410296050212/2135428689710103309390449198881479603148467934048051598947383737508",
    (15, 7): "4159963831215576225909381034291748993887819834160487158570788681/1040533184037697645660563795162185415624171583014576682740416336",
    (15, 8): "7381392142124351279433801934148706553542137071890521365664606664449580/259596002510757672994472584939953516345975141699869371088925396540699",
    (15, 9): "-3336834334584052813468828675971359774694437229547862706920/132102862435303266640535426836147775872819092781208127980",
    (15, 10): "426619379967412086875039012957475466130081426048213491790/55162410119399855550108207148248549410926885937244965785",
    (15, 11): "-630755628691078947314733435975762542732598947/333503232300511886435069380727586592765317456",
    (15, 12): "1522350657470125698997653827133798314909646891/1520094067152619944607524353149267399623188480",
    (15, 13): "305575414262755427083262606101825880/65839748482572312891297405431209259829",
    (15, 14): "256624643108055110568255672032710477795/22874609758516552135947898572671559986304",
    (16, 1): "-571597862947184314270186718640978947715678864684269066846/2077055064880303907616135969012720011907767004397744786340",
    (16, 3): "66981514290625/1829501741761029",
    (16, 4): "43495576635800/4443075658562499",
    (16, 5): "-127865248353371207265315478623656127/10401415428935853634424440540325344",
    (16, 6): "1316565142658075739557231574080234814338066993483960326560/92668695535091962564795912774190176478892159517481612467",
    (16, 7): "3881494143728609118531066904799685950051960514138645179820/2446349095978358868919950548516272963929118212742344026549",
    (16, 8): "162922667049680755852592453758428194006198229544701786842910/66288722243155885736983218667976563740242178853010092663614",
    (16, 9): "-43986024977384568043684084266385512680544563954/4922783599524658241955780540171948284522386185",
    (16, 10): "285912200202585226675651763671663063668290787/65371192072964016939690070594254881767827200",
    (16, 11): "-6776815256667778089672518929/3693654613173093729492918708",
    (16, 12): "398946554885847045598775476868169/344154261237450078839899047372800",
    (16, 13): "-76630698033396272/4432017119727044925",
    (16, 14): "28401702316003037/1469612686944417840",
    (16, 15): "66049942462586341419969330578128801/12691068622536592094919763114637498325",
    (17, 1): "83940754497395557520874219603241359529066454343054832302344735/64192596456995578553872477759926464976144474354415663868673233",
    (17, 3): "892543892035485503125/51401651664490002607536",
    (17, 4): "-12732238157949399705325/686579204375687891972088",
    (17, 5): "5290376174838819557032232941734928484252549/357179779572898187570048915214361602000384",
    (17, 6): "26873229338017506937199991804717456666650215387938173031932210/2863980005760296740624015421425947092438943496681472214589916",
    (17, 7): "-1976497866818803305857417297961598735637414137241493515492778650/378029217824623393200881653405474359138017953416246216408422692",
    (17, 8): "-1002860756304839757040188283199900676042073362417943601440986856950/20486915674765670626893195919603679319429068544972409068469849579",
    (17, 9): "87398661196965758104117684348440686081062878816711392590/2282122412587168891929052689609009868137678763277087160",
    (17, 10): "-7922242431969626895355493632206885458496418610471389/748272134517487495468365669337985635214015258726400",
    (17, 11): "2777643183645212014464950387658055285/1141545470045611737197667093465955392",
    (17, 12): "-1372659703515496442825084239977218110461/1313121960368535725613950174847107891200",
    (17, 13): "6144417902699179309851023/85608793932459282773805825",
    (17, 14): "140294243355138853053241/64884622846351585391642880",
    (17, 15): "168671028523891369934964082754523881107337/24062875279623260368388427013982199424119600",
}
_B_RAT = {
    1: "63818747/5262156900",
    7: "22555300000000/261366897038247",
    8: "1696514453125/6717619827072",
    9: "-45359872/229764843",
    10: "19174962087/94371046000",
    11: "-19310468/929468925",
    12: "16089185487681/146694672924800",
    13: "1592709632/41841694125",
    14: "52675701958271/4527711056573100",
    15: "12540904472870916741199505796420811396/2692319557780977037279406889319526430375",
}
_BP_RAT = {
    1: "63818747/5262156900",
    7: "451106000000000/4965971043726693",
    8: "8482572265625/26870479308288",
    9: "-181439488/689294529",
    10: "57524886261/188742092000",
    11: "-38620936/929468925",
    12: "144802669389129/586778691699200",
    13: "6370838528/41841694125",
    14: "368729913707897/4527711056573100",
    15: "111940113324845802831946788738852162520696/1316544263754897771229629968877248424453375",
    16: "-113178587/12362232960",
    17: "1/40",
}
_BH_RAT = {
    1: "27121957/1594593000",
    7: "4006163300000/55441463008113",
    8: "9466403125/25445529648",
    9: "-163199648/406149975",
    10: "23359833/69636250",
    11: "-18491714/140828625",
    12: "11052304606701/58344472186000",
    13: "1191129152/44377554375",
    14: "2033811086741/124730332137000",
    15: "3616943474975740389660406409450169802/951830146690244407118982233597812374375",
}
_BPH_RAT = {
    1: "27121957/1594593000",
    7: "4217014000000/55441463008113",
    8: "47332015625/101782118592",
    9: "-652798592/1218449925",
    10: "70079499/139272500",
    11: "-36983428/140828625",
    12: "99470741460309/233377888744000",
    13: "4764516608/44377554375",
    14: "14236677607187/124730332137000",
    15: "198066487470143918516004831967805004004/2855490440070733221356946700793437123125",
    16: "1/50",
}
_C_RAT = {
    1: "0",
    2: "1/50",
    3: "1/25",
    4: "1/10",
    5: "2/15",
    6: "4/25",
    7: "1/20",
    8: "1/5",
    9: "1/4",
    10: "1/3",
    11: "1/2",
    12: "5/9",
    13: "3/4",
    14: "6/7",
    15: "8437/8926",
    16: "1",
    17: "1",
}# fmt: on

_S = 17


def _rational_array(entries: dict, shape) -> np.ndarray:
    """Float64 array from 1-based {index: "p/q"} (correctly rounded by Fraction)."""
    out = np.zeros(shape)
    for key, value in entries.items():
        idx = tuple(k - 1 for k in key) if isinstance(key, tuple) else key - 1
        out[idx] = float(Fraction(value))
    return out


_A = _rational_array(_A_RAT, (_S, _S))
_B = _rational_array(_B_RAT, _S)
_BP = _rational_array(_BP_RAT, _S)
_C = _rational_array(_C_RAT, _S)
# Error weights: 12th- minus 10th-order solution (exact differences of the rationals).
_EB = _rational_array(
    {k: str(Fraction(_B_RAT.get(k, "0")) - Fraction(_BH_RAT.get(k, "0"))) for k in range(1, 18)},
    _S,
)
_EBP = _rational_array(
    {k: str(Fraction(_BP_RAT.get(k, "0")) - Fraction(_BPH_RAT.get(k, "0"))) for k in range(1, 18)},
    _S,
)
# The non-zero entries of each row of A (121 of 136), and the stages with a non-zero
# solution or error weight: the loops skip the zeros (adding 0 * k changes no sum).
_A_COUNT = np.array([np.count_nonzero(_A[s]) for s in range(_S)])
_A_COL = np.zeros((_S, _S), dtype=np.int64)
_A_VAL = np.zeros((_S, _S))
for _s in range(_S):
    _nz = np.flatnonzero(_A[_s])
    _A_COL[_s, : _nz.size] = _nz
    _A_VAL[_s, : _nz.size] = _A[_s, _nz]
del _s, _nz
_W_STAGES = np.flatnonzero((_B != 0) | (_BP != 0) | (_EB != 0) | (_EBP != 0))
# Step-size exponent: the error estimate is O(h^11) (embedded order 10; Hairer et al.
# 1993, eq. II.4.13).
_ERR_EXP = -1.0 / 11.0


# --------------------------------------------------------------------------- kernels
@njit(cache=True, error_model="numpy")
def _rkn_step(t, y, a0, h, p, K, ytmp, ftmp, ynew):
    """One RKN12 step of size h from (t, y = [r, v]) with a0 = f(t, r): stages K (17, 3),
    the 12th-order state in ``ynew``. The velocity passed to the force kernel is the
    step's initial one (unused: the caller guarantees velocity-independent forces)."""
    for j in range(3):
        K[0, j] = a0[j]
        ytmp[3 + j] = y[3 + j]
    for s in range(1, _S):
        acc0 = 0.0
        acc1 = 0.0
        acc2 = 0.0
        for q in range(_A_COUNT[s]):
            m = _A_COL[s, q]
            a = _A_VAL[s, q]
            acc0 += a * K[m, 0]
            acc1 += a * K[m, 1]
            acc2 += a * K[m, 2]
        ytmp[0] = y[0] + h * (_C[s] * y[3] + h * acc0)
        ytmp[1] = y[1] + h * (_C[s] * y[4] + h * acc1)
        ytmp[2] = y[2] + h * (_C[s] * y[5] + h * acc2)
        _rhs_into(t + _C[s] * h, ytmp, p, ftmp)
        for j in range(3):
            K[s, j] = ftmp[3 + j]
    for j in range(3):
        sb = 0.0
        sbp = 0.0
        for m in _W_STAGES:
            sb += _B[m] * K[m, j]
            sbp += _BP[m] * K[m, j]
        ynew[j] = y[j] + h * (y[3 + j] + h * sb)
        ynew[3 + j] = y[3 + j] + h * sbp


@njit(cache=True, error_model="numpy")
def _rkn_error(K, h, y, ynew, rtol, atol):
    """RMS of the scaled 12th-minus-10th-order difference over position and velocity,
    scales atol + rtol max(|y|, |y_new|) per component as in DOP853."""
    e = 0.0
    for j in range(3):
        er = 0.0
        ev = 0.0
        for m in _W_STAGES:
            er += _EB[m] * K[m, j]
            ev += _EBP[m] * K[m, j]
        sc = atol + rtol * max(abs(y[j]), abs(ynew[j]))
        e += (h * h * er / sc) ** 2
        sc = atol + rtol * max(abs(y[3 + j]), abs(ynew[3 + j]))
        e += (h * ev / sc) ** 2
    return math.sqrt(e / 6.0)


@njit(cache=True, error_model="numpy")
def _accel(t, y, p, ftmp, a):
    """a = f(t, r) (3,) through the one force kernel."""
    _rhs_into(t, y, p, ftmp)
    for j in range(3):
        a[j] = ftmp[3 + j]


@njit(cache=True, error_model="numpy")
def _rkn_initial_step(y, a, rtol, span):
    """Starting step: 0.25 tau rtol^(1/12), tau = sqrt(|r| / |a|) the free-fall time
    scale (1/n on a circular orbit). Hairer's starting-step formula (Hairer et al.
    1993, p. 169) assumes unit time scales and gives ~0.05 s in LEO, where this pair's
    steps are ~1000 s: it costs ~6 ramp-up steps (a quarter of a 6 h propagation); the
    step-size control corrects any starting step within a step or two."""
    rn = math.sqrt(y[0] * y[0] + y[1] * y[1] + y[2] * y[2])
    an = math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])
    h = 0.25 * math.sqrt(rn / an) * max(rtol, 1e-16) ** (1.0 / 12.0) if an > 0.0 else span
    # An undefined scale (zero or non-finite): the whole span, shrunk by the control.
    if not h > 0.0 or not math.isfinite(h):
        h = span
    return min(h, span)


@njit(cache=True, error_model="numpy")
def _rkn_advance(t, y, a0, h_abs, t1, direction, p, rtol, atol, K, ytmp, ftmp, ynew):
    """Attempt RKN steps from (t, y) toward t1 until one is accepted.

    Returns (t_new, h_used, h_abs_next, status); the accepted state is in ``ynew``."""
    min_step = _min_step(t)
    rejected = False
    for _ in range(_MAX_REJECTS):
        if not h_abs >= min_step:
            return t, 0.0, h_abs, _STEP_TOO_SMALL
        t_new = _step_end(t, h_abs, direction, t1)
        h = t_new - t
        h_abs = abs(h)
        _rkn_step(t, y, a0, h, p, K, ytmp, ftmp, ynew)
        err = _rkn_error(K, h, y, ynew, rtol, atol)
        accepted, h_abs = _control(err, h_abs, rejected, _ERR_EXP)
        if accepted:
            return t_new, h, h_abs, _OK
        rejected = True
    return t, 0.0, h_abs, _TOO_MANY_STEPS


@njit(cache=True, error_model="numpy")
def _rkn_to_times(t0, y0, t1, t_out, k0, inclusive, out, p, rtol, atol, max_steps, stop_radius):
    """As :func:`._dop853._dop853_run` (no impulses) with the RKN12(10) pair: integrate from
    t0 to t1, write the state at each t_out[k] (k >= k0) reached before t1 (or at t1 when
    ``inclusive``) into out[k]; outputs inside a step by a separate step to them.

    Returns (k_next, t_end, y_end, status)."""
    y = y0.copy()
    k = k0
    nout = t_out.shape[0]
    if t1 == t0:
        while k < nout and inclusive and t_out[k] == t0:
            _copy6(out[k], y)
            k += 1
        return k, t0, y, _OK
    direction = 1.0 if t1 > t0 else -1.0
    K = np.empty((_S, 3))
    ytmp = np.empty(6)
    ftmp = np.empty(6)
    ynew = np.empty(6)
    a0 = np.empty(3)
    f = np.empty(6)
    _rhs_into(t0, y, p, f)
    for j in range(3):
        a0[j] = f[3 + j]
    while k < nout and t_out[k] == t0:
        _copy6(out[k], y)
        k += 1
    h_abs = _rkn_initial_step(y, a0, rtol, abs(t1 - t0))
    t = t0
    nsteps = 0
    while direction * (t1 - t) > 0.0:
        if nsteps >= max_steps:
            return k, t, y, _TOO_MANY_STEPS
        t_new, h, h_abs, st = _rkn_advance(
            t, y, a0, h_abs, t1, direction, p, rtol, atol, K, ytmp, ftmp, ynew
        )
        if st != _OK:
            return k, t, y, st
        nsteps += 1
        if not _finite6(ynew):
            return k, t, y, _NOT_FINITE
        if stop_radius > 0.0 and _radius(ynew) < stop_radius:
            # Bisection on steps from t: the re-entry time to ~1e-9 of the step.
            lo = 0.0
            hi = h
            for _ in range(40):
                mid = 0.5 * (lo + hi)
                _rkn_step(t, y, a0, mid, p, K, ytmp, ftmp, ynew)
                if _radius(ynew) > stop_radius:
                    lo = mid
                else:
                    hi = mid
            tc = t + hi
            while k < nout and direction * (t_out[k] - tc) <= 0.0:
                _rkn_step(t, y, a0, t_out[k] - t, p, K, ytmp, ftmp, out[k])
                k += 1
            _rkn_step(t, y, a0, hi, p, K, ytmp, ftmp, ynew)
            return k, tc, ynew.copy(), _REENTRY
        while k < nout:
            dt_end = direction * (t_out[k] - t_new)
            if dt_end < 0.0:
                # ynew is kept: the side step writes its own output row only.
                _rkn_side(t, y, a0, t_out[k] - t, p, out[k])
                k += 1
            elif dt_end == 0.0 and (inclusive or t_new != t1):
                _copy6(out[k], ynew)
                k += 1
            else:
                break
        t = t_new
        _copy6(y, ynew)
        _accel(t, y, p, ftmp, a0)
    return k, t, y, _OK


@njit(cache=True, error_model="numpy")
def _rkn_side(t, y, a0, h, p, out):
    """The state h after t by one RKN12 step of its own (an output inside a step)."""
    K = np.empty((_S, 3))
    ytmp = np.empty(6)
    ftmp = np.empty(6)
    _rkn_step(t, y, a0, h, p, K, ytmp, ftmp, out)


# --------------------------------------------------------------------------- drivers
@njit(cache=True, error_model="numpy")
def _propagate_rv_rkn(y0, t_out, imp_t, imp_dv, p, rtol, atol, max_steps, stop_radius):
    """:func:`._kernels._propagate_rv_kernel` with the RKN12(10) pair (same impulse and
    output conventions). Returns (out (n, 6), n_filled, t_stop, status)."""
    n = t_out.shape[0]
    out = np.empty((n, 6))
    if n == 0:
        return out, 0, 0.0, _OK
    t_end = t_out[n - 1]
    direction = 1.0 if t_end >= 0.0 else -1.0
    i = _next_impulse(imp_t, 0, 0.0, t_end, direction)
    y = y0.copy()
    t = 0.0
    k = np.int64(0)
    while True:
        last = i >= imp_t.shape[0]
        k, t, y, st = _rkn_to_times(
            t, y, t_end if last else imp_t[i], t_out, k, last or direction < 0.0, out, p, rtol,
            atol, max_steps, stop_radius,
        )  # fmt: skip
        if st != _OK or last:
            break
        for j in range(3):
            y[3 + j] += direction * imp_dv[i, j]
        i = _next_impulse(imp_t, i + 1, 0.0, t_end, direction)
    return out, k, t, st


@njit(cache=True, parallel=True, error_model="numpy")
def _batch_rkn(y0s, t_out, p, rtol, atol, max_steps, stop_radius):
    """n RKN12(10) propagations from 0 through the common times t_out (m,), one thread
    per sample block. Returns the states at t_out (n, m, 6; NaN after a re-entry), the
    filled counts, the last states (n, 6: at t_end, or at the re-entry), their times and
    the statuses."""
    n = y0s.shape[0]
    m = t_out.shape[0]
    res = np.full((n, m, 6), np.nan)
    filled = np.empty(n, dtype=np.int64)
    yend = np.empty((n, 6))
    tstop = np.empty(n)
    status = np.empty(n, dtype=np.int64)
    k0 = np.int64(0)
    yes = np.bool_(True)
    for i in prange(n):
        buf = np.empty((m, 6))
        k, t, y, st = _rkn_to_times(
            0.0, y0s[i], t_out[m - 1], t_out, k0, yes, buf, p, rtol, atol, max_steps, stop_radius
        )
        for r in range(k):
            _copy6(res[i, r], buf[r])
        _copy6(yend[i], y)
        filled[i] = k
        tstop[i] = t
        status[i] = st
    return res, filled, yend, tstop, status
