"""Fair lotteries over panels: leximin, maximin and Nash welfare by column generation, then a public draw.

The engine is generic. It sees ``n`` agents (indices ``0..n-1``), panels of a fixed size ``k``
(sorted tuples of agent indices) and a **pricing oracle**: given non-negative integer weights,
the oracle returns a feasible panel of largest total weight and says whether it proved that
optimum. ``matching.lottery.dispute`` (mediator panels for one dispute, CP-SAT over the full
panel model) and ``matching.lottery.compose`` (the roster under quotas, CP-SAT) provide oracles; tests
use ``EnumeratedOracle`` over an explicit list of panels.

**Leximin** (Flanigan, Gölz, Gupta, Hennig and Procaccia, Nature 2021): among all probability
distributions over feasible panels, maximise the smallest selection probability, then the next
smallest, and so on. Level by level, with the agents already fixed at their probabilities
``f_j``, the LP over the known panels ``maximise z s.t. p_i >= z (free i), p_j >= f_j (fixed j),
Σ λ_P = 1`` is solved; its duals ``y`` (``Σ_free y_i = 1``) price the panels against the LP's
panel cap ``ŷ = max y(P)`` over the known panels:

* **The master LP** is one HiGHS model (``highspy``) for the whole run, modified in place
  (``_Master``). It holds the level's LP with a column per panel, so a new panel is a new column
  and primal simplex re-optimises from the previous basis; fixing an agent changes one coefficient
  and one row bound. Its column values are ``λ``, its row duals are ``y``.
* **Many panels before the first LP** (``_Engine.spread``). When the oracle offers ``improve``, its
  local search alone (no LP, no CP-SAT) first finds about one panel per agent by multiplicative
  weights: each search favours the people seated least often so far (seeded noise breaks ties). On
  500 distinct nominees these panels already hold a maximin distribution: 2 LP solves instead of
  125. They are ordinary columns: the levels are proven as always.
* **Many panels before each later level** (``_Engine.spread_level``), the same way, with each person's
  seats measured against a target: a fixed agent's value, and for the free agents the share of the seats
  the fixed ones leave. Without them a later level over many distinct people took tens to hundreds of
  rounds of a few panels each (1,000 distinct nominees, third level: 89 rounds, 300 s of CPU); with them
  the levels of 200 to 1,000 distinct nominees each close in one round (that level: 21 s). When they are
  many (``RESTART_SHARE`` per agent) on a large model, the level's first LP starts afresh by a first-order
  method and crossover (``_Master.restart``) rather than by thousands of warm primal simplex pivots.
* **Stale panels leave the master LP** (``_Engine.prune``): a panel nonbasic at 0 whose reduced
  cost stays above ``DROP_SLACK`` of the cap for ``DROP_AGE`` rounds is removed (only once the LP
  holds more than ``DROP_ABOVE`` panels). It stays known; it comes back as soon as it prices above
  the cap again; on a roomy rough level (``_Engine.steep``) after ``DROP_AGE_STEEP`` rounds already, where each warm
  primal simplex re-solve took 5 to 7 s of CPU over 4,000 panels against 2 to 3 s over 2,000 (assembly-shaped pool,
  third level). The current solution never leaves the model, and levels end only on exact
  pricing proofs over all feasible panels, so the result is unchanged.
* **Warm solves of the later levels without bound perturbation** (``_Master.warm_run``). Once agents are fixed,
  a large model's warm primal simplex runs with HiGHS's bound perturbation off: the tail's LPs are primal
  degenerate (nearly every fixed agent's row tight), and the perturbed run pivoted 20 to 240 times as often (D002 at
  10,000 mediators, 2026-12-07: the LP CPU of levels 2 to 12 0.2 to 2.1 s a level down to 0.03 to 0.34 s, the same
  values; the 41st level's LP, from the run's own state, 340 s in five solves down to 0.07 s in four, see
  ``warm_run``). A warm run that still stops at its iteration limit goes
  on by dual simplex from the same basis (and the level's later warm runs too) before any cold start.
* **A large first solve by a first-order method** (``_Master.first_order``): over more than
  ``FIRST_ORDER_ROWS`` agents, the first LP is solved by PDLP and crossover to an optimal vertex
  instead of primal simplex from scratch, which pivots through thousands of degenerate vertices
  with a dense basis (2,000 nominees: 9 s of CPU instead of 125 s). Any optimal vertex will do:
  the later solves start from its basis and every level still ends only on a pricing proof. PDLP
  runs at the model's own tolerances (1e-10), whose precise point crossover turns into a vertex quickly;
  when it does not converge there within ``PDLP_FINE_ITERATIONS`` (where it converged it took at most 6,120
  iterations) it runs again at ``PDLP_TOL`` (1e-7, up to ``PDLP_ITERATIONS``), whose rougher point crossover
  still makes exact (the assembly-shaped pool's third level: 89 s of CPU in all instead of 295 s with the 1e-10
  run at 200,000 iterations, measured 2026-12-06 on the same LP). The third level of 2,000 distinct nominees (24 agents free, 6,081
  panels) needs that: PDLP did not converge at 1e-10, and the warm primal simplex that followed had not
  finished after 1,000 s of CPU; at 1e-7 that LP takes 36-44 s of CPU by PDLP and 3-6 s by crossover
  (offline). At 1e-7 everywhere the first two levels' crossovers took minutes instead of seconds. When
  crossover stops short of optimal, primal simplex goes on from its basis. Once the run at 1e-10 stopped at its
  limit in a level (``_Master.rough``), it is not run again there: the level's next first-order solves run at
  ``PDLP_TOL`` at once, each from the level's last point at ``PDLP_TOL`` (``_Master.warm_solution``), and every
  solve of that level is a first-order one. Measured 2026-12-06 (CPU seconds, load 8 to 10) on the third level of
  2,000 distinct nominees: its first vertex 79 s, each later round 42-52 s (PDLP from the last point, crossover 7 s)
  instead of 90-100 s (PDLP at 1e-10 to its limit twice, then at 1e-7 from the origin); the level still needs more
  than four rounds. A later level with at least ``SIMPLEX_FREE_SHARE`` of its agents free instead takes its vertex by
  crossover straight from the 1e-10 run's last iterate and re-solves by warm primal simplex: the assembly-shaped
  pool's third level took 1.4 s for that vertex instead of about 90 s and then 1 to 3.5 s per round instead of about
  110 s (but over 140 rounds, unfinished at 292 s of CPU in all).
* **Later levels end at a first-order point** (``_Master.points``): crossover, not PDLP, was the wall (2,000
  distinct nominees: 0.5 to 3 s of PDLP against 22 s, 190 s and over 150 s of crossover at the three levels).
  After the first level (whose vertex dual's exact weights make the certificate), a large model's first-order
  solve keeps PDLP's point, with no basis: its duals are priced and the level proven exactly as a vertex's
  (weak duality holds for any weights; ``_heavy`` and the ``EPS / FIX_TOL`` argument need no vertex either),
  and its value is the least free chance of its clipped, normalised distribution. Only when that point misses
  a fixed agent's value by more than ``LP_TOL``, or its duals do not prove the level within ``EPS``, is the
  level solved again to a vertex (``_Engine.vertices``): by crossover from that point when PDLP converged to it
  (``_Master.cross``), else as a first solve (where PDLP stopped at its iteration limit, its last iterate is taken
  as a point too); the level's next solve, after new panels, starts from a point again instead of by warm primal
  simplex through the dense basis. Measured on the second level of 2,000 distinct nominees
  (offline, 2026-12-06): PDLP 0.5 s, the point's weights (28 bits) within 3e-12 of its value, 247 of the 271
  free agents weighed (the vertex dual fixed the same 247). The final LP must end at a vertex
  (``_exact_vertex``); when the last level's vertex came from ``settle_level`` and no seat is left it is that
  vertex (``_Engine.kept``); from a point it gets one by ``_Master.settle`` (seeded small random costs on the panels,
  then crossover from a point of small support: seconds instead of minutes). A first-order point also spares
  ``widen`` its lifting LP when it shows that nobody else can be fixed (``_Master.interior``).
* **Cheap pricing first.** An oracle may offer ``improve(y, starts)``, a local search (the quota
  oracle moves one seat at a time, or on large rosters two at once when no single move gains) run from the known panels of largest ``y(P)``; every
  panel it reaches that beats ``ŷ`` by ``HEURISTIC_MARGIN`` is added, several per round.
* **Many panels a round on a rough level** (``_Engine.burst``). Where PDLP stopped at its limit at the model's
  tolerances (``_Master.rough``), a round's LP solve costs far more than a local search (2,000 distinct nominees,
  third level: 34-65 s of CPU for PDLP, crossover and simplex against 0.04 s for the 8 searches, which added 7 or 8
  panels a round). There the search runs again, up to ``BURST_SEARCHES`` times a round (``BURST_ROOMY`` when the
  level's rounds are warm primal simplex), with the weights of the people seated by the panels found so far this
  round divided by ``e^BURST_RATE`` per seat; panels that beat the cap under the level's own duals join. Measured
  2026-12-06 (offline, the level rebuilt from its start, CPU seconds, load 4 to 7): that third level took 127 and
  160 panels in its first two rounds instead of 8 and ended after its third solve, at the seats left shared out
  (before: over 9 rounds, unfinished after 571 s); the assembly-shaped pool's third level took 34 to 63 panels a
  round, its value 0.03211 after 72 s of the level against 0.03147 without, 0.03241 after 97 s against 0.03214
  (not finished either way). The last solve of that 2,000-nominee level reached the uniform bound, where every
  optimal distribution seats everybody exactly as often: crossover from PDLP's point there took 276 s.
  ``_Master.settle_level`` instead makes the vertex as ``settle`` does for the final LP, with ``z`` held at the
  point's value less ``CEILING_NEAR``, then primal simplex to the level's optimum (PDLP 9 s, crossover 6 s, 282
  simplex iterations: 64 s in all); the level took 181 s in all.
* **Exact pricing beside the local search on a roomy rough level** (``_Engine.steep``). On a rough level with at least
  ``SIMPLEX_FREE_SHARE`` of its agents free (warm primal simplex rounds), the local search's panels raise the level
  slowly: each beats the cap by little, and one CP-SAT answer (0.2 s) moved the assembly-shaped pool's third level
  more than a round's 50 searched panels. There every round also prices exactly, up to ``STEEP_PRICINGS`` times (the
  first with the level's own duals, the others with the people seated by the round's panels decayed as in ``burst``),
  and the panels above the cap join. Measured 2026-12-06 (CPU seconds into the run, load 7 to 16) on that level: the
  value 0.03406 after 134 s against 0.03211 after 136 s without (0.03351 after 142 s with one pricing a round);
  without, 0.03372 after 304 s. With it that level ended proven (10/289) after 206 s, its 23rd LP solve; the fourth
  level (600 free) then took 31 LP solves of 16 to 39 s of CPU each and ended proven (0.070169) after 843 s in all
  (with stale panels dropped sooner, below). A round that found panels proves nothing: the level still ends on the exact pricing of a round that found none.
  Heavier rounds since (2026-12-07): up to ``STEEP_PRICINGS`` (32) exact pricings a round, an answer that adds no panel
  (a miss) decays its people too and the pricings stop at the ``STEEP_MISSES``-th (4th) miss instead of the first, and
  ``BURST_ROOMY`` 32 searches. Each round then takes 100 to 140 panels instead of 80 to 100 (11 to 19 pricings instead
  of 2 to 8, about 2 s of CPU more), its re-solve 5,500 to 7,600 primal simplex iterations against 4,100 to 6,800, and
  that fourth level, replayed from its start (CPU seconds, load 2 to 3), ended on the same value and proof after 21 LP
  solves and 490 s instead of 31 and 580 s. In a whole run (load 2 to 3, machine speed 1.01) the third level took 13 LP
  solves and 75 s instead of 20 and 90 s, the fourth (from the third's better panels) 23 and 393 s instead of 31 and
  580 s, the same agents fixed at the same values; the fourth level ended after 669 s wall (507 s of CPU) instead of 924
  (721). A smaller LP would not make its re-solves cheaper: an iteration cost 2.3 ms over 3,460 panels early in the
  level, 3.2 to 3.7 ms over 2,400 later (the basis grows denser), and keeping the stale panels (``DROP_AGE`` there too)
  or keeping a panel that came back after a drop for 10 rounds left the values and iterations of 3 to 5 rounds of its
  tail about as they were (replayed from its 14th solve).
  Tried on that fourth level and left out (2026-12-06, CPU seconds, load 3 to 4): Wentges smoothing of the further
  pricings (half the level's weights of least proven bound, half the round's duals) reached 0.06968 after 27 rounds
  and 719 s of the run, against 0.06962 after 24 rounds and 721 s without, and ended after 869 s (34 LP solves)
  against 843 s (31); offline, the least bound the level's weights proved stayed 5 to 37 times its value, 0.32 to 1.84
  against 0.05 to 0.069: no good centre to smooth towards. Its warm re-solve after 68 new panels (5,896 primal simplex
  iterations, 18 to 22 s) took 32 s with steepest-edge pricing, 119 s by dual simplex, 17 s by interior point without
  crossover, 18 s without bound perturbation; and a shorter PDLP run before the level's first vertex costs more in
  crossover (5,000 iterations: 6 s, then 14,164 crossover iterations, 53 s; at the 20,000 of ``PDLP_FINE_ITERATIONS``:
  24 s and 3,169, 10 s). Central duals (each round's LP by interior point without crossover, priced at that point's
  duals, then crossover to the round's vertex; branch ``asm12``, not merged) gave that level 24 LP solves and 590 s
  against 28 and 621 s by warm simplex (one replay each; runs vary by about 3 rounds), but the round LPs grew to
  3,000 to 3,700 panels (fewer look far from useful under central duals) and the third level was still unproven
  after 231 s against about 130 s: not worth it.
* **Exact pricing** (the oracle's ``best``, CP-SAT) otherwise runs only when the local search finds
  nothing; the panel of largest dual weight ``y(P)``, plus any other improving panel CP-SAT met
  on the way, is added while it beats ``ŷ`` by more than ``EPS``. A level stops only on the
  exact pricing's proof (below).
* **The oracle's stored panels** (``_Engine.stored_panels``). An oracle may offer ``stored(weights)``: panels it holds
  already (the dispute oracle: every acceptable panel its searches met), heaviest first under a round's integer
  weights, with no search and no proof. In a later level each round first takes those that beat the cap; only a round
  where none does asks for the exact pricing, and only that can end the level. The later levels' LPs are degenerate:
  each round's duals are another vertex, and every improving panel of the last one was added already, so the rounds do
  not fall, but many of them find their improving panels in the store instead of by a search. Measured 2026-12-07 on
  D011 at 10,000 mediators (its seventh level replayed from the same start, 2,079 agents fixed and 423 free, CPU
  seconds at load 4 to 6): 39 LP solves and 18 exact calls, 59.6 units and 74.6 s, against 40 of each, 118.0 units
  and 146.8 s, the same value, proof and agents fixed; the eighth then took 0.9 units against 5.4. Not in the first
  level: there the exact calls left after the stored rounds fell to CP-SAT far more often (D011: 8 of 19 calls at
  about 9 units each, against 3 of 34; 116.5 units for the level against 92.2).

**The oracle's own level proofs** (``_Engine.oracle_bound``). An oracle may prove a level's bound itself: the first
level's (``first_level_proof``, the dispute oracle) or any level's (``level_proof(free, fixed)``, the quota oracle,
from the LP relaxation of its quotas: ``matching.lottery.polytope``), as integer weights and a proven ``max_P w(P)``.
The level then ends as soon as the known panels reach that bound, with no CP-SAT proof; a bound above the level is
never reached and the level ends as without it. Such an oracle may also offer ``targets(free, fixed)`` (every agent's
chance in its relaxation's leximin: what ``spread_level`` aims at instead of the uniform share, and what spares
``widen`` its lifting LP after a level that ended on the oracle's proof when it puts everybody else above the
level: ``_Engine.apart``), ``on_face(panel)`` (the panels on the face of its proofs so far, the only ones a
distribution keeping those levels can use where the relaxation is tight: ``spread_level`` starts from and keeps only
those) and ``face_best(weights)`` (pricing on that
face, tried first in each round while the proof is not reached: ``face_panels``), and ``on_proven_face(panel)``
(the faces of the levels that ended at its relaxation's value only: at each later level the master LP drops the
panels off them that its current solution does not use, ``trim_to_face``). Measured 2026-12-07 on the
assembly-shaped pool (load 3, machine speed 1.08, CPU seconds into the run): its first seven levels each ended on
the relaxation's proof after one LP solve, at 13, 28, 44, 60, 79, 99 and 122 s, against 13, 21, 113 and 603 s for
the first four on main (stopped in the fifth after 1,056 s of wall time). Each level then cost about 14 s of
``spread_level`` and 1 to 11 s of PDLP (converged at the model's tolerances in 1,000 to 5,300 iterations); the
eighth (111 of 1,324 agents free, 10,439 panels) did not: PDLP stopped at ``PDLP_FINE_ITERATIONS`` (46 s), its point
missed fixed agents' values, and the vertex solve after it had not ended when the level had taken 250 s of CPU in
all. With ``trim_to_face`` (load 2.5-3) the master LPs of levels 4 to 8 hold 5,074, 5,579, 5,523, 6,097 and 6,045
panels instead of 5,258 to 10,439, the first seven levels end at 110 s of CPU instead of 122, and the eighth ends
proven at Q's value (0.1184950) at 282 s (407 s of wall time) after three LP solves: PDLP to its limit (19 s),
PDLP at ``PDLP_TOL`` (114,440 iterations) and crossover (105 s), and a warm second round (33 s). The ninth (41 free,
3,977 panels after 7,451 dropped) again needs PDLP at ``PDLP_TOL`` (91 s for its first solve), so the run does not
end in 400 s yet; offline, that LP took 130 s by warm primal simplex from the eighth level's basis (8,635
iterations), 64 s by interior point and crossover, 81 s by PDLP warm-started from the eighth level's vertex.
Without ``on_face`` the fifth level took three LP solves and 229 s.

**Later levels with few agents free by an interior point** (``_Master.interior_vertex``). Once fewer than
``SIMPLEX_FREE_SHARE`` of a large model's agents are free and PDLP stops at its limit at the model's tolerances, the
level's vertex comes from an interior point method on the normal equations (``matching.lottery.interior``: a dense
Cholesky of ``A D Aᵀ``, one row per agent, about 0.2 s an iteration over 1,325 rows, 20 to 26 iterations) and HiGHS's
crossover from its point, instead of PDLP at ``PDLP_TOL`` (60 to 130 s of CPU a solve there); HiGHS's own interior
point took 60 to 70 s on those LPs (IPX, 2.2 s an iteration). The point's λ is kept as the level's ``interior`` point,
and the level's value is read off the vertex's distribution as off a first-order point (``_Engine.dual``): one such
vertex's ``z`` came out 2e-10 above the level's proven bound, within HiGHS's tolerances, and the agents fixed there
left the next level's LP infeasible at that scale (crossover and PDLP at ``PDLP_TOL`` then failed on it). Where
crossover stops short of a vertex, the solve goes on by PDLP at ``PDLP_TOL`` as before. After the first such level,
the later ones skip the fine PDLP run (``interior_first``), and the searches before each later level number at most
``SPREAD_PER_FREE`` per free agent. Measured 2026-12-07 on the assembly-shaped pool (CPU seconds into the run, load 4
to 5, machine speed 1.04 to 1.13): the eighth level (after its fine run, 19 s) took its two vertices by the interior
point (6.6 and 6.0 s) and crossover (1.8 s; then 32 s from a point on a large optimal face, 1,386 crossover
iterations) and ended proven at 197 s (main: 282 s, 2026-12-06, load 2.5 to 3); the ninth (41 free, 3,114 to 3,554
panels) took four solves of 3 to 4 s of interior point and 1.7 to 26 s of crossover, and ended proven at 316 s (630 s
of wall time), where main had spent 101 s on its first solve; the tenth's first solve took 5 s. The run still did
not end in 400 s. Crossover from the interior point was then the wall (1,386 iterations, 25 to 32 s, four times in the
eighth and ninth levels, once stopping short). A solve that may end at a point (``points``: every later level's, until
its point's duals fail to prove it) now ends at the interior point purified onto its optimal face
(``interior.purify``, an optimal pair to 1e-12 with no basis, 1 to 2 s), with no crossover: the whole run ended proven
in 18 levels at 358 s of CPU (719 s wall, load 4 to 5, machine speed 1.15, 2026-12-07; main: 327 s at the ninth
level's end, 482 s at the twelfth's), the eighth level at 169 s, the ninth at 191 s; 23 interior point solves of 3 to
7 s, 18 of them ending purified, 4 by crossover (one of 29 s, on the thirteenth level, after its purified points'
duals did not prove it) and the last level's by ``settle_level``.

**When a level stops.** Only on proof. For *any* integer weights ``w >= 0`` and any
distribution that gives every fixed agent its value, weak duality gives
``min_free p_i <= (max_P w(P) - Σ_fixed w_j f_j) / Σ_free w_i``; the oracle proves
``max_P w(P)`` (or a CP-SAT bound on it), and the level stops once that bound, computed in exact
rational arithmetic, is within ``EPS`` of the level the known panels reach. A later level is first
tried with the **uniform weights** (1 on every agent, ``_Engine.share``): every panel has ``k`` seats, so
``max_P w(P) <= k`` needs no pricing call and the bound is ``(k - Σ_fixed m_j f_j) / Σ_free m_i``, the
seats the fixed agents leave shared out; the last level always reaches it (its agents share the seats
left), and then ends on it, fixing every free agent. Otherwise the weights are the LP's
duals made integer: LP vertex duals share a denominator (the basis determinant), which is
recognised (``matching.lottery.polytope.common_denominator``), so that the weights are exact small integers and
the bound usually equals the level; failing that, integers in the duals' ratios when those are simple fractions (``_ratio_weights``:
D002's level 36 at 10,000 mediators, eighteenths of the largest dual, now proven with weights 1 to 18 where the
rounded 28-bit ones left it unproven); otherwise they are scaled to ``WEIGHT_BITS`` bits (CP-SAT slows down sharply
with larger coefficients) and, if that bound is not within ``EPS``, to ``FINE_BITS`` bits priced
in two stages (the coarse optimum restricts the precise problem to near-optimal panels). A level
that still cannot be proven within ``EPS`` keeps its proven gap (``Level.gap``) and makes
``Lottery.proven`` false. Free agents whose normalised proof weight is at least ``FIX_TOL`` (or,
if none, the largest) are fixed at the level: approximate complementary slackness bounds what
fixing can cost such an agent by ``EPS / FIX_TOL = 1e-5`` (an agent left free costs nothing: a
later level fixes them at the same value). A final LP over the known panels returns a vertex
distribution meeting every level.

**Fixing many agents per level** (``_Engine.widen``). A vertex dual often weighs only a few of the
agents that cannot rise above the level (two disjoint panels: everybody's level is 1/2, but a vertex
dual weighs one member of each, so a second level would be needed). Once a level is proven, a small
LP over the master's panels (``_widest_dual``) picks, among the restricted master's optimal duals
(dual value at most the level plus ``WIDEN_SLACK``), one that weighs as many free agents as it can at
``WIDEN_TARGET`` (twice ``FIX_TOL``) or more. It is used only when it would fix someone more, and only
after a proof of its own: panels the local search finds above its cap are added and the small LP
solved again; then its integer weights are priced exactly, and their weak-duality bound must be
within ``EPS`` of the level (else the exact answer's panels join the small LP, up to ``WIDEN_ROUNDS``
times or until an answer comes back unproven, before the level falls back to the vertex dual's agents). Every agent fixed then rests on one
of the two proofs, with the same ``EPS / FIX_TOL`` argument, so the levels do not change; only fewer
of them are needed. The small LP is skipped when every free agent whose chance in the master's solution
is at the level already carries proof weight: by complementary slackness no other one can (``tight``).
Failing that, a **lifting LP** (``_Master.lift``: the master's own model, warm-started from its optimal
basis, the level held fixed) looks for a distribution that keeps every level and raises each of the other
free agents a little above it; those it raises cannot carry proof weight either (the same argument), and
when that leaves nobody else the small LP is skipped too. Both LPs stop at a deterministic iteration limit
(``WIDEN_ITERATIONS`` plus ``WIDEN_ITERATIONS_PER_ROW`` per row and column): a lifting LP stopped early
still holds a feasible distribution (primal simplex from a feasible start), and a small LP stopped early
gives nothing, so the level fixes only the agents its vertex dual proves. Either way nobody is fixed
without a proof; at worst a later level fixes the others, at the same values. An oracle may turn the widening off
(``widening`` false): the dispute oracle past its enumeration cap does (``matching.lottery.dispute.WIDENING``).

**Where a leximin over many distinct people spends its time** (measured, issue 17): not in pricing
(the local search finds nearly every column; CP-SAT runs about once per level) and, on the benchmark's
pools, not in the number of levels (500 distinct: 3 levels, 1,000: at least 3; the widest duals fixed no
more there), but in the master LP's re-solves in the levels after the first. Once most agents are
fixed, the LP is highly degenerate and its basis (a row per agent) dense: each round's warm primal
simplex takes 500 to 3,000 iterations, at about 1 ms an iteration with 500 agents, 5 ms with 1,000 and
35-50 ms with 2,000, while a level needed tens to hundreds of rounds. Since the panels sought before each
level (above), a level of the benchmark's generated pools closes in one round, and its time is that
round's LP: 2,000 distinct nominees, second level (271 agents free), 115 s of CPU by PDLP and crossover;
the third (24 free) took over 1,000 s while PDLP ran at the simplex's tolerances and never converged (at
``PDLP_TOL``, offline on that LP, 44 s of PDLP and 3-6 s of crossover). Measured in the engine
(2026-12-06, load 1 to 5): that first solve took 109 s of CPU (PDLP at 1e-10 to its limit 68 s, at 1e-7 37 s,
crossover 4 s), but the level's next re-solve (warm primal simplex after the new panels) was still running
300 s of CPU later: the re-solves of a level with nearly every agent fixed remain the wall. With double moves
at 30 seats (off there, ``matching.lottery.compose.PAIR_SEATS``) that LP reached the seats left shared out, the
third level was the last (proven by the uniform weights) and the run ended certified after 530 s of CPU. On the assembly-shaped pool (110 seats,
tight quotas) single moves rarely found a new panel from the best known one (73 of 103 searches found
nothing); with double moves (measured 2026-12-06, load 5 to 7) its first two levels close in one round each
(1.5 and 2 s of CPU, against 219 and 52 rounds, 27 and 22 s), but the third still takes many rounds of about
2 s of CPU each (over 60, unfinished at 290 s of CPU in all). Dual simplex and
dual smoothing of the local search's weights were tried and were slower. So were several columns per
re-solve (the local search run again with the duals of the people its panels seat decayed, up to 8 times a
round): it cut the rounds but not in proportion the iterations, which grow with the columns each re-solve takes in
(measured on 2026-12-05, CPU seconds, load 5 to 11): 500 distinct nominees 21.7 -> 13.4 s, 1,000 second
level 300 -> 171 s, but 1,000 third level over 240 s against 130 s, the assembly-shaped pool 1.35 times
the CPU, the sortition-algorithms fixture 76 -> 96 s. No rule for when it pays was found, and it was
removed; it came back only on rough levels (``_Engine.burst``), whose rounds are first-order solves of a fixed cost. After the first level of 2,000 distinct nominees the small LP of ``widen`` took about 71-100 s of
CPU (10,583 simplex iterations; 68 s by interior point, more from a crossover start) and fixed nobody more
there; the lifting LP shows that in 566 iterations (9-18 s of CPU) and the small LP is no longer solved.
Measured on 2026-12-06 (CPU seconds, load 7 to 14): where PDLP converges at 1e-10 it is cheap (0.2 to 3 s) and
the first-order solve's time is crossover's (2,000 distinct nominees: 22 s at the first level, 190 s at the
second, over 150 s and unfinished at the third); on the assembly-shaped pool's third level (473 agents fixed)
PDLP did not converge at 1e-10 (227 s for 200,000 iterations, now cut at ``PDLP_FINE_ITERATIONS``), took 68-89 s
at 1e-7 and crossover 0.1 s, and that level then took over 80 rounds of 1 to 3 s each (unfinished at 477 s in
all). HiGHS's interior point method with crossover solved that assembly LP in 22 s (offline), but took over 120 s
(unfinished) on the second level of 2,000 distinct nominees, where crossover took 190 s: it is not used. Double
moves in every local search after the first level (on 30-seat rosters too) were tried and left out: 1,000
distinct nominees took 142 s of CPU instead of 109 s (the same 4 levels of one round each), and on 2,000 the
searches before the second and third levels took 32 and 29 s (single moves: 8 s before the first level) while
the third level's first solve (crossover) had not ended 150 s later.

**Determinism.** HiGHS (serial primal simplex; for a large first solve single-threaded PDLP and
crossover, checked to give the same vertex and basis on every run; no presolve, fixed seed,
tolerances ``LP_TOL``, iteration limits rather than time limits) is deterministic, and the master
is changed in the same order on every run; the local search breaks ties by index; oracles use one seeded CP-SAT worker with a deterministic time limit;
columns keep the order in which they were found. The same input gives the same result on every
run.

**Budget and stopping.** Every run has a deterministic budget (``matching.core.config.Budget``):
rounds (passes of the covering, level and Nash loops) and the deterministic seconds of CP-SAT pricing
summed over the run, with the master LP's work in the same units (``_Master.charge``: simplex iterations by
the model's rows and columns, PDLP's by its nonzeros, about one unit per second of CPU; the lifting LP of
``widen`` too, its small LP ``_widest_dual`` not); every LP solve has an iteration limit, warm or cold. At the start of each round
(``_Engine.halted``) the run also looks at the caller's ``CancelToken``. When either ends it, the
result is the best distribution so far: a leximin run keeps the levels it fixed, the other agents get
at least the level the known panels reach (a floor in the final LP), ``upper_bound`` is the least
weak-duality bound proven on the first level (if any), ``proven`` is false and ``Lottery.stopped``
says why. A run stopped while covering lists only the agents met so far.

**Exactness checks.** The final vertex is solved again in exact arithmetic (up to
``EXACT_SUPPORT`` panels): levels that are simple fractions are snapped to them, the others are
unknowns, and the system of the agents tight at the vertex (with probabilities summing to 1) is
solved exactly (``_solve_exactly``: floating point chooses independent rows and refines the
solution bit by bit against exact integer residuals, continued fractions read off a rational
candidate, and the candidate must satisfy every row exactly), then checked (probabilities >= 0
summing to 1, everybody at or above their level). Failing that, the LP's probabilities are
rationalised and normalised to sum exactly to 1. Either way the marginals are recomputed with
``Fraction`` (they sum exactly to ``k``), every panel in the support is checked by the oracle's
own ``problems`` (an independent checker), and the achieved minimum over the agents in some
feasible panel is reported exactly beside the first level's proven upper bound
(``upper_bound``); when the two fractions coincide (``certified``) the minimum is proven
optimal in exact arithmetic.

**Maximin** is the first leximin level. **Nash welfare** maximises ``Σ log p_i`` over the people
in some feasible panel by fully corrective column generation: multiplicative (EM) updates on
the known panels, pricing with weights ``1 / p_i``; by concavity the Frank-Wolfe gap
``max_P Σ_{i∈P} 1/p_i - |people|`` bounds the distance to the optimum, reported as ``nash_gap``.

**Agents in no feasible panel** are found first: the oracle maximises the number of not yet
covered agents in a panel until that number is proven to be 0. They get probability 0 and do
not take part in the levels (otherwise every minimum would be 0); an oracle with ``restrict``
is then told to leave them out of its model (a smaller pricing problem, the same panels).

**Classes of interchangeable people.** An oracle may say that agent ``a`` stands for
``multiplicity[a]`` people whom no rule tells apart (``matching.lottery.compose``: nominees with the same
value in every feature). The leximin probabilities are then equal within a class (the leximin
vector is unique and permuting such people maps feasible panels to feasible panels), so the
engine works with classes: a panel lists an agent once per seat it holds, a person's probability
is the class's expected seats over its size, the master LP's normalisation and fixed costs are
weighted by class size, and so is the weak-duality bound (``level_bound``). Fewer agents make
every LP smaller and every panel stand for many. Tickets need distinct people, so
``round_to_tickets`` refuses a lottery over classes.

**Rounding to M tickets** (Flanigan, Kehne and Procaccia, "Fair Sortition Made Transparent",
NeurIPS 2021): ``round_to_tickets`` turns the distribution into M equally likely tickets, each
panel ``P`` getting ``floor(M λ_P)`` or ``ceil(M λ_P)`` of them. It is pipage (dependent)
rounding of the fractional parts of ``M λ``: each step moves along a direction that keeps their
sum and the fractional sum of every agent on more than ``k`` fractional panels exact (towards a
vertex of that polytope chosen by an LP, or the opposite way, with the probabilities that keep
every marginal unchanged in expectation) until a coordinate becomes 0 or 1. An agent's sum is
only released once at most ``k`` of its panels are fractional, so each agent's ticket share
differs from its probability by less than ``k / M`` (the Beck-Fiala bound), and the tickets sum
to ``k M`` seats exactly. The rounding uses its own fixed seed, so the ticket list depends on
the inputs only and can be published before the draw; ``draw_ticket`` then picks ticket
``numpy.random.default_rng(seed).integers(0, M)``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from itertools import combinations
from typing import Protocol

import highspy
import numpy as np
from ortools.sat.python import cp_model
from scipy import linalg, sparse
from scipy.optimize import linprog

from matching.core.config import Budget, limit_work
from matching.core.errors import ArgumentError, InternalError, MatchingError
from matching.core.progress import Advance, CancelToken, ProgressFactory, silent_progress, stop_asked
from matching.lottery import interior
from matching.lottery.polytope import common_denominator

Panel = tuple[int, ...]

EPS = 1e-9  # a column must beat the LP's panel cap ŷ by more than this; levels are exact to within it
FIX_TOL = 1e-4  # dual weight from which a free agent is fixed at the current level
WEIGHT_BITS = 28  # integer pricing weights stay below 2**28 (CP-SAT slows down sharply beyond about 2**30)
FINE_BITS = 40  # precise weights, tried when the fast ones cannot prove a level within EPS
FINE_TIME_LIMIT = 5.0  # deterministic seconds for the second stage of a precise pricing problem
COARSE_BITS = WEIGHT_BITS  # first stage of a precise pricing problem
NASH_BITS = 24  # Nash welfare's pricing needs a relative precision of NASH_TOL only
LP_TOL = 1e-10  # HiGHS primal and dual feasibility tolerances
NASH_TOL = 1e-4  # Nash welfare stops when the Frank-Wolfe gap is at most NASH_TOL per agent
FIRST_ORDER_ROWS = 1_000  # a first solve over more agents runs PDLP then crossover (see _Master.first_order)
PDLP_ITERATIONS = 200_000  # PDLP at PDLP_TOL stops here (2,000 nominees: 114,000 at the third level)
# PDLP at the model's own tolerances stops here: where it converged there it took 920 to 6,120 iterations (1,000
# and 2,000 distinct nominees, every level; the assembly-shaped pool's second level); where it did not, the full
# PDLP_ITERATIONS were wasted before the run at PDLP_TOL (assembly-shaped pool, third level: 227 s of CPU, measured
# 2026-12-06).
PDLP_FINE_ITERATIONS = 20_000
CEILING_NEAR = 1e-6  # how near the level's uniform bound a PDLP_TOL point must be to be settled (_Master.settle_level)
PDLP_TOL = 1e-7  # PDLP's tolerances when it does not converge at LP_TOL; crossover (at LP_TOL) makes the point exact
# On a level where PDLP stopped at its limit at the model's tolerances (``_Master.rough``) with at least this share of
# the agents free, the level's vertex comes from crossover straight from that iterate and its later solves are warm
# primal simplex (assembly-shaped pool, third level, 851 of 1,324 free: crossover and 628 simplex iterations, 1.5 s
# of CPU, against 68-89 s by PDLP at PDLP_TOL; its rounds then took 1-3 s each). With nearly every agent fixed the LP
# is almost all equality rows and simplex stalls there (2,000 distinct nominees, third level, 24 of 2,000 free: over
# 117 s of simplex after that crossover, over 300 s for a warm re-solve): PDLP at PDLP_TOL instead, warm (warm).
SIMPLEX_FREE_SHARE = 0.25
SETTLE_COST = 1e-4  # the final LP's vertex from a first-order point: random panel costs in [1, 2) times this (settle)
SIMPLEX_PRIMAL = 4  # HiGHS simplex_strategy: primal simplex
SIMPLEX_DUAL = 1  # ... dual simplex (a level's warm solves once primal stalled, see _Master.warm_run)
# The master LP's work, charged to the budget like the pricing's (``_Master.charge``), at about one unit per second of
# CPU at machine speed 1 (D002 at 10,000 mediators, 3,323 rows, 2026-12-07: a warm simplex iteration over 11,800 to
# 20,400 panels took 1.0e-8 to 1.8e-8 s per row and column of the model, a PDLP iteration 2e-9 to 5e-9 s per nonzero;
# the interior point's solve about 5 s at 1,325 rows, see ``matching.lottery.interior``).
LP_ITERATION_WORK = 1.5e-8  # per simplex iteration and row and column of the model
PDLP_ITERATION_WORK = 3e-9  # per PDLP (or interior point) iteration and nonzero of the model
INTERIOR_WORK = 2e-9  # per interior point solve (``interior``) and cube of the model's rows
UNPERTURBED_ROWS = 1_000  # warm primal simplex runs without bound perturbation on models over this many rows (warm_run)
WARM_ITERATIONS = 1_000  # a warm-started LP solve taking more than this plus WARM_ITERATIONS_PER_ROW
WARM_ITERATIONS_PER_ROW = 2  # per row and column is restarted from scratch (see _Master.solve)
COLD_ITERATIONS = 1_000_000  # a solve from scratch stops here (a cold start needs about 1,400 at 1,000 nominees)
HEURISTIC_STARTS = 8  # known panels of largest dual weight that the local search starts from
BURST_SEARCHES = 64  # on a rough level: further local searches per round, each with the duals of the seated decayed
BURST_ROOMY = 32  # the same when that level's rounds are warm primal simplex (SIMPLEX_FREE_SHARE)
FACE_PRICINGS = 8  # pricings on the face of the oracle's level proof per round (see _Engine.face_panels)
STEEP_PRICINGS = 32  # on a roomy rough level: exact pricings a round beside the local search (see _Engine.steep)
STEEP_MISSES = 4  # the further exact pricings of a steep round stop after this many added no panel
BURST_RATE = 1.0  # a seat in a panel found this round divides that person's weight by e^rate in the next searches
CHEAP_COVER = 0  # 1: local search before each covering CP-SAT call; off: its odd panels cost 500 nominees 2.5 s -> 32 s
SPREAD_ROUNDS = 1.0  # panels sought per agent before the first LP (see _Engine.spread)
SPREAD_MAX = 3_000  # at most this many
SPREAD_MISSES = 20  # the search for them stops after this many searches in a row found nothing new
# Before a later level, at most this many searches per free agent (spread_level): the panels are sought for the free
# agents, and the known ones already hold the fixed agents' values. The assembly-shaped pool's later levels (41 to 111
# of 1,324 agents free) each spent 13 to 15 s of CPU in 1,324 searches (now 4 s at the ninth); its first six keep theirs.
SPREAD_PER_FREE = 8
RESTART_SHARE = 0.5  # panels found before a later level, per master row, from which its LP restarts (_Master.restart)
SPREAD_RATE = 1.0  # weight exp(-rate * seats so far): one seat more divides a person's weight by e
DROP_AGE = 10  # rounds in a row a panel must be far from useful before it leaves the master LP
DROP_AGE_STEEP = 2  # the same on a roomy rough level (``_Engine.steep``): its rounds are warm simplex over them all
DROP_SLACK = 0.01  # far from useful: nonbasic with a reduced cost above this share of the panel cap
DROP_ABOVE = 300  # panels are only dropped from a master LP holding more than this many
WIDEN_ROUNDS = 4  # small LPs (and exact pricing calls) tried per level for proof weights on more agents
WIDEN_TARGET = 2 * FIX_TOL  # the normalised weight those LPs aim at (twice FIX_TOL: rounding keeps it above)
WIDEN_SLACK = EPS / 10  # how far their dual value may exceed the level (the proof must still be within EPS)
WIDEN_TIGHT = 4 * WIDEN_SLACK / FIX_TOL  # only free agents this close to the level can be fixed by widening
WIDEN_LIFT = 2 * WIDEN_TIGHT  # how far above the level the lifting LP tries to raise each free agent (``_Master.lift``)
WIDEN_ITERATIONS = 1_000  # the lifting LP and the small LP of widening stop after this many simplex iterations
WIDEN_ITERATIONS_PER_ROW = 1  # plus this many per row and column of the LP (then nobody more is fixed by it)
HEURISTIC_MARGIN = 1e-7  # a heuristic column must beat ŷ by this much (smaller gains are left to the exact pricing)
MAX_COLUMN_ROUNDS = 20_000  # a guard against a loop that does not converge; never reached in tests
RATIONAL_DENOMINATORS = (10, 100, 1_000, 10_000, 100_000, 1_000_000)
FREE_LEVEL_DENOMINATOR = 10**6  # a level the final support leaves free is pinned to a fraction this simple
EXACT_SUPPORT = 3_000  # the final vertex is re-solved in exact arithmetic up to this many panels
REFINE_BITS = 40  # bits gained per step of the exact solve's iterative refinement (float64 has 53)
REFINE_FIRST_TRY = 80  # bits before the first rational reconstruction is tried
REFINE_MAX_BITS = 200_000  # the exact solve gives up beyond this many bits
RATIONAL_TOL = 1e-8  # how far a rational candidate may move a probability or a marginal from the LP's
ROUNDING_SEED = 0  # the ticket list depends on the inputs only
METHODS = ("leximin", "maximin", "nash")
STOPPED_BY_USER = "cancelled"  # Lottery.stopped: the user asked to stop
STOPPED_BY_BUDGET = "budget"  # Lottery.stopped: the deterministic budget ran out


class LotteryError(MatchingError):
    """No feasible panel at all, or a result that fails its own checks."""

    code = "lottery"


@dataclass(frozen=True)
class Pricing:
    """The oracle's answer: a feasible panel of largest weight (None when there is none)."""

    panel: Panel | None
    value: int
    proven: bool
    bound: int | None = None  # a proven upper bound on the best value (``value`` itself when proven)
    others: tuple[Panel, ...] = ()  # further feasible panels met on the way (candidate columns)
    work: float = 0.0  # deterministic seconds of CP-SAT search spent (0 for other oracles)

    @property
    def upper(self) -> int | None:
        return self.value if self.proven else self.bound


@dataclass(frozen=True)
class Restriction:
    """Only panels with ``sum(weights[P]) >= at_least`` (used to refine a coarse pricing answer)."""

    weights: np.ndarray
    at_least: int
    time_limit: float | None = None  # a shorter limit for this pricing problem, if the oracle has a limit


class PricingOracle(Protocol):
    """What the engine needs to know about the feasible panels."""

    @property
    def n(self) -> int:
        """Number of agents."""
        ...

    @property
    def size(self) -> int:
        """Number of members of every panel."""
        ...

    def best(self, weights: np.ndarray, restriction: Restriction | None = None) -> Pricing:
        """A feasible panel (meeting ``restriction``) maximising the total of its members' int64 weights."""
        ...

    def problems(self, panel: Panel) -> list[str]:
        """Why ``panel`` is not feasible (an empty list when it is); checked independently of ``best``."""
        ...

    # Optional (looked up with getattr): ``improve(y, starts) -> list[Panel]``, a fast local search for
    # feasible panels of larger float weight ``y(P)`` than the ``starts``; see the module docstring.
    # ``restrict(agents)``: told once it is proven that no feasible panel holds any other agent.
    # ``multiplicity``: a sequence of n positive ints when each agent stands for a class of that many
    # interchangeable people (see "Classes of interchangeable people" in the module docstring).


class EnumeratedOracle:
    """An oracle over an explicit list of feasible panels (small pools and tests): exact by enumeration."""

    def __init__(self, n: int, size: int, panels: Iterable[Iterable[int]]) -> None:
        self._n = n
        self._size = size
        self.panels = sorted({tuple(sorted(p)) for p in panels})
        for p in self.panels:
            if len(p) != size or len(set(p)) != size or not all(0 <= i < n for i in p):
                raise ArgumentError(f"panel {p} is not {size} distinct agents of {n}")
        self._matrix = np.zeros((len(self.panels), n), dtype=np.int64)
        for row, p in enumerate(self.panels):
            self._matrix[row, list(p)] = 1
        self._feasible = set(self.panels)

    @classmethod
    def from_predicate(cls, n: int, size: int, feasible: Callable[[Panel], bool]) -> EnumeratedOracle:
        return cls(n, size, (p for p in combinations(range(n), size) if feasible(p)))

    @property
    def n(self) -> int:
        return self._n

    @property
    def size(self) -> int:
        return self._size

    def best(self, weights: np.ndarray, restriction: Restriction | None = None) -> Pricing:
        values = self._matrix @ np.asarray(weights, dtype=np.int64)
        allowed = np.ones(len(self.panels), dtype=bool)
        if restriction is not None:
            allowed = self._matrix @ np.asarray(restriction.weights, dtype=np.int64) >= restriction.at_least
        if not allowed.any():
            return Pricing(None, 0, True)
        values = np.where(allowed, values, np.iinfo(np.int64).min)
        row = int(np.argmax(values))  # first of the best: deterministic
        return Pricing(self.panels[row], int(values[row]), True)

    def problems(self, panel: Panel) -> list[str]:
        return [] if tuple(sorted(panel)) in self._feasible else [f"{panel} is not a feasible panel"]


@dataclass(frozen=True)
class Level:
    """Agents fixed at one leximin level: the level's value (reached by the known panels) and the
    proven gap to the true level (the least upper bound its pricing problems proved, less the value)."""

    value: float
    agents: tuple[int, ...]
    gap: float


@dataclass(frozen=True)
class Stats:
    lp_solves: int
    pricing_calls: int
    columns: int
    seconds: float


@dataclass(frozen=True)
class Lottery:
    """A distribution over feasible panels with exact probabilities and exact marginals."""

    method: str
    n: int
    size: int
    panels: tuple[Panel, ...]  # the support, in canonical (sorted) order
    probabilities: tuple[Fraction, ...]  # sum exactly 1
    marginals: tuple[Fraction, ...]  # per agent (per person of its class); Σ multiplicity * marginal = size exactly
    covered: frozenset[int]  # agents in at least one feasible panel
    minimum: Fraction  # smallest marginal among covered agents (exact)
    upper_bound: Fraction | None  # certified upper bound on the maximin value over covered agents
    levels: tuple[Level, ...] = ()
    proven: bool = True  # every pricing problem that ended a phase was solved to proven optimality
    nash_gap: float | None = None
    stats: Stats = field(default_factory=lambda: Stats(0, 0, 0, 0.0))
    multiplicity: tuple[int, ...] = ()  # people per agent (empty: one each); panels may then repeat an agent
    # Why the run was cut short (STOPPED_BY_USER, STOPPED_BY_BUDGET), None when it ran to its end. A stopped
    # leximin run keeps the levels it fixed (``levels``, proven as their gaps say); every other agent has at
    # least the level the known panels reached, which is not proven to be the leximin one.
    stopped: str | None = None

    @property
    def uncovered(self) -> list[int]:
        return [i for i in range(self.n) if i not in self.covered]

    @property
    def certified(self) -> bool:
        """The minimum is proven optimal exactly (achieved and certified upper bound coincide)."""
        return self.upper_bound is not None and self.upper_bound == self.minimum

    def marginal_floats(self) -> list[float]:
        return [float(p) for p in self.marginals]


# --- a CP-SAT pricing helper for oracles -----------------------------------------------------------


def cpsat_best(
    model: cp_model.CpModel,
    x: Sequence[cp_model.IntVar],
    weights: np.ndarray,
    restriction: Restriction | None,
    *,
    seed: int,
    time_limit: float,
    linearization_level: int | None = None,
) -> Pricing:
    """Maximise ``sum(weights[j] * x[j])`` on ``model`` (agents are the positions in ``x``).

    ``x`` holds 0/1 variables, or integer seat counts when agents are classes of people: the panel
    then lists agent ``j`` ``x[j]`` times. A restriction is added to a clone, so ``model`` keeps only its own constraints; its objective
    is replaced. One worker, a fixed seed and a deterministic time limit make answers reproducible.
    """
    target, xs = model, list(x)
    if restriction is not None:
        target = model.clone()
        xs = [target.get_int_var_from_proto_index(v.index) for v in x]
        picked = np.flatnonzero(restriction.weights)
        target.add(
            cp_model.LinearExpr.weighted_sum([xs[j] for j in picked], [int(restriction.weights[j]) for j in picked])
            >= int(restriction.at_least)
        )
    picked = np.flatnonzero(weights)
    target.maximize(cp_model.LinearExpr.weighted_sum([xs[j] for j in picked], [int(weights[j]) for j in picked]))
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = 1
    params.random_seed = seed
    if restriction is not None and restriction.time_limit is not None:
        time_limit = min(time_limit, restriction.time_limit)
    limit_work(params, time_limit)
    if linearization_level is not None:
        params.linearization_level = linearization_level
    collector = _Collector(xs)
    status = solver.solve(target, collector)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = _seats([solver.value(v) for v in xs])
        value = int(sum(int(weights[j]) for j in chosen))
        bound = round(solver.best_objective_bound)
        others = tuple(p for p in collector.panels if p != chosen)
        proven = status == cp_model.OPTIMAL and bound <= value
        return Pricing(chosen, value, proven, max(bound, value), others, solver.deterministic_time)
    if status == cp_model.INFEASIBLE:
        return Pricing(None, 0, True, work=solver.deterministic_time)
    if status == cp_model.MODEL_INVALID:
        raise InternalError(f"invalid pricing model: {target.validate()}")
    return Pricing(None, 0, False, work=solver.deterministic_time)


class _Collector(cp_model.CpSolverSolutionCallback):
    """Records every improving solution CP-SAT meets (with one worker, in a reproducible order)."""

    def __init__(self, xs: Sequence[cp_model.IntVar]) -> None:
        super().__init__()
        self.xs = xs
        self.panels: list[Panel] = []

    def on_solution_callback(self) -> None:
        self.panels.append(_seats([self.value(v) for v in self.xs]))


def _ratio_weights(values: Sequence[tuple[float, int]], n: int) -> np.ndarray | None:
    """Integer weights (one per agent of ``n``) in the ratios of the positive dual weights ``values`` (pairs of weight and
    agent) to the largest, when each ratio is a fraction with a denominator up to ``SNAP_DENOMINATOR`` (within
    ``SNAP_TOL``) and their least common denominator ``q`` stays within ``2**WEIGHT_BITS``: the largest weighs ``q``.
    None otherwise. Any weights give a valid bound (weak duality); these are ``y`` itself up to a factor, so when ``y``
    proves the level they prove it too, with small integers the oracle prices exactly where ``y`` scaled and rounded to
    ``WEIGHT_BITS`` bits proves it only within its rounding. On D002 at 10,000 mediators (level 36, 16 agents free)
    a vertex dual weighed the 3,307 agents in eighteenths of the largest but had no common denominator within
    ``SNAP_DENOMINATOR``: scaled to 28 bits, CP-SAT's answers were unproven and the level was left unproven."""
    if not values:
        return None
    top = max(v for v, _ in values)
    q = common_denominator([v / top for v, _ in sorted(values, reverse=True)], lambda q: q <= 2**WEIGHT_BITS)
    if q is None:
        return None
    ints = np.zeros(n, dtype=np.int64)
    for value, a in values:
        ints[a] = round(value / top * q)
    return ints


def _panel_weights(y: np.ndarray, panels: Sequence[Panel]) -> np.ndarray:
    """``y(P)`` for each of ``panels``, each summed over its members in their order as ``y[list(P)].sum()`` sums it (the
    same floats), at once when the panels are of one size: 5,000 panels (a pricing answer's further columns, or the stored
    panels of a round) weighed one by one took about 10 ms, at once 1.3 ms (D002 at 10,000 mediators, five32)."""
    if panels and all(len(panel) == len(panels[0]) for panel in panels):
        return np.asarray(y[np.asarray(panels, dtype=np.int64)].sum(axis=1), dtype=float)
    return np.asarray([float(y[list(panel)].sum()) for panel in panels], dtype=float)


def _seats(counts: Sequence[int]) -> Panel:
    """The panel holding agent ``j`` ``counts[j]`` times (sorted)."""
    return tuple(j for j, c in enumerate(counts) for _ in range(int(c)))


# --- the LP helpers -------------------------------------------------------------------------------


class _Columns:
    """The known panels, in the order found, with their incidence matrix over the agents."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.panels: list[Panel] = []
        self.index: dict[Panel, int] = {}
        self._members = np.zeros((0, 0), dtype=np.int64)  # panels x size, padded with n; grown by doubling
        self._filled = 0  # rows of _members already written
        self.dropped: set[int] = set()  # panels taken out of the master LP (see _Engine.prune)
        self.pending: list[int] = []  # panels found (or brought back) and not yet in the master LP

    def add(self, panel: Panel) -> bool:
        """Whether ``panel`` is new to the master LP: never seen, or seen and dropped (then brought back)."""
        j = self.index.get(panel)
        if j is None:
            j = self.index[panel] = len(self.panels)
            self.panels.append(panel)
        elif j in self.dropped:
            self.dropped.discard(j)
        else:
            return False
        self.pending.append(j)
        return True

    def take_pending(self) -> list[int]:
        """The panels to add to the master LP, in the order found; empties the list."""
        taken, self.pending = self.pending, []
        return taken

    def members(self) -> np.ndarray:
        """Panels x (largest panel size) array of member indices, padded with ``n`` (give ``y[n] = 0``)."""
        count = len(self.panels)
        width = max(self._members.shape[1], *(len(p) for p in self.panels[self._filled :]), 0)
        if self._members.shape[0] < count or self._members.shape[1] != width:
            grown = np.full((max(2 * count, 16), width), self.n, dtype=np.int64)
            old = self._members[: self._filled]
            grown[: self._filled, : old.shape[1]] = old
            self._members = grown
        for r in range(self._filled, count):
            panel = self.panels[r]
            self._members[r, : len(panel)] = panel
        self._filled = count
        return self._members[:count]

    def weights(self, y: np.ndarray) -> np.ndarray:
        """``y(P)`` for every known panel (``y`` over all n agents)."""
        return np.asarray(np.append(y, 0.0)[self.members()].sum(axis=1))

    def matrix(self, agents: Sequence[int]) -> sparse.csr_matrix:
        """Panels x ``agents`` 0/1 matrix (columns in the order of ``agents``)."""
        position = {a: j for j, a in enumerate(agents)}
        rows, cols = [], []
        for r, p in enumerate(self.panels):
            for a in p:
                j = position.get(a)
                if j is not None:
                    rows.append(r)
                    cols.append(j)
        data = np.ones(len(rows))
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(self.panels), len(agents)))


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance (``interior.new_highs``)."""
    return interior.new_highs()


def _sparse_columns(row_of: np.ndarray, panels: Sequence[Panel]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The master LP's columns for ``panels`` in HiGHS's compressed form (each column's start, row indices, values):
    the convexity row 0 with coefficient 1, then the rows (``row_of``, -1 for none) of the panel's members in
    increasing order, each with how many times the panel holds them. All panels at once: one ``np.unique`` per panel
    took about 1 s of D003's lottery at 10,000 mediators (2026-12-07, under cProfile)."""
    count = len(panels)
    sizes = np.fromiter((len(panel) for panel in panels), dtype=np.int64, count=count)
    members = np.fromiter((a for panel in panels for a in panel), dtype=np.int64, count=int(sizes.sum()))
    rows = row_of[members]
    column = np.repeat(np.arange(count), sizes)[rows >= 0]
    column = np.concatenate([np.arange(count), column])
    rows = np.concatenate([np.zeros(count, dtype=np.int64), rows[rows >= 0]])  # the agents' rows are 1 and up
    order = np.lexsort((rows, column))
    column, rows = column[order], rows[order]
    first = np.flatnonzero(np.r_[True, (column[1:] != column[:-1]) | (rows[1:] != rows[:-1])])
    held = np.diff(np.r_[first, len(rows)])
    starts = np.searchsorted(column[first], np.arange(count)).astype(np.int32)
    return starts, rows[first].astype(np.int32), held.astype(np.float64)


class _Master:
    """The leximin master LP of one run, kept in one HiGHS model and modified in place.

    The model is the level's primal LP: a variable ``λ_P >= 0`` per known panel and ``z`` (free);
    maximise ``z`` subject to ``Σ λ_P = 1``, ``Σ_P c_a(P) λ_P - m_a z >= 0`` for every free agent
    and ``Σ_P c_a(P) λ_P >= m_a f_a`` for every fixed one (``c_a(P)`` the seats of agent ``a`` in
    ``P``, ``m`` the class sizes, 1 unless agents are classes). Its optimum is the level ``z``, its
    column values are the distribution ``λ`` and the agents' row duals ``y`` (``Σ_free m_i y_i = 1``)
    price the panels. A new panel is one more column, which leaves the previous basis primal
    feasible: primal simplex re-optimises from it. The basis has one row per agent whatever the
    number of panels (the LP's dual, with a row per panel, was used before: its basis grows with
    the panels, and at a few thousand panels each simplex iteration cost milliseconds). Fixing an
    agent changes one coefficient and one row bound, which the current solution already meets.
    Options are fixed (serial simplex, no presolve, fixed seed): the same sequence of changes gives
    the same vertices on every run. The ``threads`` option is left alone: HiGHS refuses to run when
    it differs from the thread pool another HiGHS user in the process already started, and this
    strategy uses one thread anyway.
    """

    def __init__(self, agents: Sequence[int], n: int, multiplicity: np.ndarray | None = None) -> None:
        self.agents = list(agents)
        self.row_of = np.full(n + 1, -1, dtype=np.int64)  # agent -> row (n: the padding of panels)
        self.row_of[self.agents] = np.arange(1, len(self.agents) + 1)
        self.mult = np.ones(n) if multiplicity is None else np.asarray(multiplicity, dtype=float)
        self.rows = 0  # panels in the model (columns 1..rows; column 0 is z)
        self.ids: list[int] = []  # the caller's id of each panel in the model, in column order
        self.fixed: set[int] = set()
        self.afresh = False  # the next solve starts by a first-order method (see restart)
        self.points = False  # a first-order solve may end without crossover (see first_order)
        self.point: tuple[list[int], np.ndarray] | None = None  # the last first-order point (see interior)
        self.pointed = False  # the last solve ended at a first-order point (points), perhaps at PDLP's limit
        self.held = False  # the model still holds that point, unchanged since (see cross)
        self.rough = False  # PDLP at the model's tolerances stopped at its limit in this level (see fine_run)
        self.start: tuple[list[int], np.ndarray, np.ndarray] | None = None  # the last PDLP_TOL point (warm_solution)
        self.last: tuple[list[int], np.ndarray, np.ndarray] | None = None  # the fine run's last iterate when rough
        self.rough_iterations = 0  # PDLP's iterations in the last run at PDLP_TOL
        self.ceiling: float | None = None  # the level's uniform bound (the seats left shared out), see settle_level
        self.settled = False  # the last solve ended at a vertex made by settle_level
        self.interior_first = False  # a level with few agents free went rough: later ones skip the fine run
        self.from_interior = False  # the last solve's vertex came from the interior point (interior_vertex)
        self.stalled = False  # a warm primal run stopped at its limit in this level: dual simplex since (warm_run)
        self.work = 0.0  # the deterministic work of its LP solves so far (see run), in the budget's units
        h = _new_highs()
        _primal_simplex(h)
        inf = highspy.kHighsInf
        m = len(self.agents)
        h.addRow(1.0, 1.0, 0, np.zeros(0, dtype=np.int32), np.zeros(0))
        h.addRows(m, np.zeros(m), np.full(m, inf), 0, np.zeros(m, dtype=np.int32), np.zeros(0, dtype=np.int32), [])
        weights = -self.mult[self.agents]
        h.addCol(-1.0, -inf, inf, m, np.arange(1, m + 1, dtype=np.int32), weights)  # minimise -z
        self.h = h

    def add(self, panels: Sequence[Panel], ids: Sequence[int] | None = None) -> None:
        """Append a column per panel (members outside the agents are ignored); ``ids`` name them for the
        caller (default: the number of panels added before)."""
        if not panels:
            return
        self.ids.extend(range(self.rows, self.rows + len(panels)) if ids is None else ids)
        count = len(panels)
        starts, index, values = _sparse_columns(self.row_of, panels)
        self.h.addCols(
            count,
            np.zeros(count),
            np.zeros(count),
            np.full(count, highspy.kHighsInf),
            len(index),
            starts,
            index,
            values,
        )
        self.rows += count
        self.held = False

    def unused(self) -> np.ndarray:
        """Positions (0-based, in ``ids`` order) of the panels nonbasic at 0 in the current basis: removing
        them keeps the basis and the solution, so the next solve starts where this one ended."""
        if not self.vertex:
            return np.zeros(0, dtype=np.int64)
        status = np.fromiter((int(s) for s in self.h.getBasis().col_status), dtype=np.int64)[1:]
        return np.flatnonzero(status == int(highspy.HighsBasisStatus.kLower))

    def drop(self, positions: np.ndarray) -> None:
        """Remove the panels at ``positions`` (from ``unused``) from the model."""
        if len(positions) == 0:
            return
        self.h.deleteCols(len(positions), (np.asarray(positions) + 1).astype(np.int32))
        gone = set(int(j) for j in positions)
        self.point = None
        self.held = False
        self.ids = [c for j, c in enumerate(self.ids) if j not in gone]
        self.rows = len(self.ids)

    def fix(self, agent: int, value: float) -> None:
        self.point = None
        self.stalled = False
        self.held = False
        self.rough = False
        self.start = self.last = None
        row = int(self.row_of[agent])
        self.h.changeCoeff(row, 0, 0.0)
        self.h.changeRowBounds(row, value * self.mult[agent], highspy.kHighsInf)
        self.fixed.add(agent)

    def release(self, floors: dict[int, float]) -> None:
        """Turn the model into the final LP: maximise t with every agent at or above its floor plus t."""
        self.held = False
        self.rough = False
        self.start = self.last = None
        for agent in self.agents:
            row = int(self.row_of[agent])
            self.h.changeCoeff(row, 0, -float(self.mult[agent]))
            self.h.changeRowBounds(row, floors[agent] * self.mult[agent], highspy.kHighsInf)

    def first_order(self) -> bool:
        """A first solve of a large model without simplex from scratch: PDLP (a first-order method, one thread,
        deterministic, with an iteration limit) reaches the optimum to about 1e-7, then crossover (simplex
        steps from that point, at this model's tolerances) turns it into an optimal vertex and basis,
        which every later solve starts from. Primal simplex from scratch pivots through thousands of
        degenerate vertices, each costing a refactorisation of a dense basis (one row per agent, panels
        of 30 to 110 people): 125 s of CPU at 2,000 nominees, against 9 s this way. With ``points``, a point
        PDLP reaches at the model's own tolerances is kept as it is, with no basis (``vertex`` is then false):
        crossover is the costly step. When either step does not end optimal, the model is cleared and solved
        by simplex as before (``solve``). Whether it ended optimal."""
        h = self.h
        h.setOptionValue("solver", "pdlp")
        fine = False  # PDLP converged at the model's own tolerances
        few = bool(self.fixed) and not self.roomy and self.h.getNumRow() > FIRST_ORDER_ROWS  # see interior_vertex
        if not self.rough and few and self.interior_first and self.points:
            self.rough = True  # see interior_vertex: the fine run would stop at its limit again
        if not self.rough:
            fine = self.fine_run()
            self.interior_first |= self.rough and few
            if self.pointed:
                return True
        if not fine and self.rough and self.fixed and self.roomy and self.last is not None:
            # A later level with many agents free (SIMPLEX_FREE_SHARE): crossover straight from PDLP's last iterate.
            if self.cross_from(self.warm_solution(self.last)):
                return True
            h.setOptionValue("solver", "pdlp")
        if not fine and few and self.interior_vertex():
            return True
        if not fine:
            # See PDLP_TOL: crossover makes the rougher point exact. Once PDLP stopped at its limit at the model's own
            # tolerances in this level, it runs at PDLP_TOL at once (the run at LP_TOL would stop there again), from
            # the level's last point at PDLP_TOL (warm_solution).
            _tolerances(h, PDLP_TOL)
            h.setOptionValue("pdlp_iteration_limit", PDLP_ITERATIONS)
            h.clearSolver()
            if self.start is not None:
                h.setSolution(self.warm_solution(self.start))
            self.run(h)
            self.rough_iterations = int(h.getInfo().pdlp_iteration_count)
            _tolerances(h, LP_TOL)
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                h.setOptionValue("solver", "simplex")
                h.clearSolver()
                return False
            self.start = (list(self.ids), *self.iterate())
        point = h.getSolution()
        if not fine and self.settle_level(point):
            return True
        if self.cross_from(point):
            return True
        h.clearSolver()
        return False

    def interior_vertex(self) -> bool:
        """A rough level's vertex with few agents free (less than ``SIMPLEX_FREE_SHARE``) on a large model (more than
        ``FIRST_ORDER_ROWS`` rows, where first-order solves are used at all): the normal-equations interior point method
        (``matching.lottery.interior``) to a relative accuracy of 1e-9 (or its best point within 1e-6), then crossover
        from its point (or ``settle_level`` when the point reaches the level's ceiling, as from PDLP's). There PDLP does
        not converge at the model's tolerances and at ``PDLP_TOL`` took 60 to 130 s of CPU a solve on the
        assembly-shaped pool (eighth and ninth levels, 1,325 rows, 6,045 and 3,977 panels), HiGHS's own interior point
        60 to 70 s; this took 5 + 1.6 and 3.5 + 1.6 s offline (2026-12-07), but crossover from a point on a large
        optimal face can take tens of seconds (27 s in the run) or stop short of a vertex. When the solve may end at a
        point (``points``), the interior point purified onto its optimal face (``interior.purify``: an optimal pair to
        1e-12, with no basis) is its answer instead, with no crossover, unless the point reaches the level's ceiling
        (``settle_level``'s vertex then, which the final LP can keep: ``_Engine.kept``). Once a level with few agents
        free has gone rough, the later levels skip the fine PDLP run that would stop at its limit again (10 to 20 s
        there): ``interior_first``. Whether the model ends at an optimal vertex; when not, the caller goes on by PDLP at
        ``PDLP_TOL`` as before."""
        h = self.h
        lp = h.getLp()
        a = lp.a_matrix_
        if a.format_ != highspy.MatrixFormat.kColwise:
            return False
        shape = (int(lp.num_row_), int(lp.num_col_))
        matrix = sparse.csc_matrix((np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)), shape=shape)
        cost = np.asarray(lp.col_cost_, dtype=float)
        row_lower, row_upper = np.asarray(lp.row_lower_, dtype=float), np.asarray(lp.row_upper_, dtype=float)
        col_lower = np.asarray(lp.col_lower_, dtype=float)
        # z (the level, or the final LP's t) has no bound: no optimum puts it below -1 (chances lie in [0, 1]).
        point = interior.solve(
            matrix, row_lower, row_upper, cost, col_lower, np.asarray(lp.col_upper_, dtype=float), floor=-1.0
        )
        self.work += INTERIOR_WORK * float(shape[0]) ** 3
        if point is None:
            return False
        if point.accuracy <= interior.TOLERANCE:
            # Near the analytic centre of the optimal face: what ``interior`` asks of a point (widen skips its LPs).
            self.point = (list(self.ids), point.col_value[1:].copy())
        if self.points and not self.reaches_ceiling(float(point.col_value[0])):
            # settle_level's vertex otherwise: on the last level, the final LP keeps it (_Engine.kept).
            exact = interior.purify(matrix, row_lower, row_upper, cost, col_lower, point)
            if exact is not None:
                # The pair on the optimal face, exact to the model's tolerances: the solve's answer, with no basis.
                h.setOptionValue("solver", "simplex")
                h.setSolution(_solution(matrix, cost, exact))
                self.pointed = True
                return True
        solution = _solution(matrix, cost, point)
        if not h.getInfo().valid:
            # HiGHS's crossover crashed (segmentation fault) on a model never run in the process: a run of no iteration.
            _, limit = h.getOptionValue("simplex_iteration_limit")
            h.setOptionValue("solver", "simplex")
            h.setOptionValue("simplex_iteration_limit", 0)
            self.run(h)
            h.setOptionValue("simplex_iteration_limit", limit)
        if self.settle_level(solution):
            return True
        if self.cross_from(solution):
            self.from_interior = True
            return True
        h.clearSolver()
        h.setOptionValue("solver", "pdlp")
        return False

    def fine_run(self) -> bool:
        """PDLP at the model's own tolerances, up to ``PDLP_FINE_ITERATIONS``; whether it converged. At its limit the
        level is ``rough`` and its last iterate kept (``last``, see ``first_order``). With ``points``, its point (converged
        or at the limit) ends the solve (``pointed``)."""
        h = self.h
        h.setOptionValue("pdlp_iteration_limit", PDLP_FINE_ITERATIONS)
        self.run(h)
        status = h.getModelStatus()
        fine = status == highspy.HighsModelStatus.kOptimal
        if fine:
            self.point = (list(self.ids), np.asarray(h.getSolution().col_value, dtype=float)[1:])
        self.rough = status == highspy.HighsModelStatus.kIterationLimit
        if self.rough:
            self.last = (list(self.ids), *self.iterate())
        if self.points and (fine or self.rough):  # at the limit, its last iterate: the caller checks it (_Engine.dual)
            h.setOptionValue("solver", "simplex")
            self.pointed = True
            # Crossover from a converged point only (cross): from PDLP's last iterate at its limit with few agents
            # free, the primal simplex after it ran for minutes (2,000 distinct nominees, third level), more than PDLP
            # at PDLP_TOL and its crossover (75 s of CPU).
            self.held = fine
        return fine

    def cross_from(self, solution: highspy.HighsSolution) -> bool:
        """Crossover from ``solution`` (a first-order point), then primal simplex from its basis if it stops short of
        optimal; whether the model ends at an optimal vertex."""
        h = self.h
        h.setOptionValue("solver", "simplex")
        h.crossover(solution)
        self.charge_crossover()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal and h.getBasis().valid:
            self.run(h)  # crossover stopped short of optimal (at its iteration limit): primal simplex from its basis
        return bool(h.getModelStatus() == highspy.HighsModelStatus.kOptimal and h.getBasis().valid)

    def iterate(self) -> tuple[np.ndarray, np.ndarray]:
        """The model's current column values and row duals (a first-order point, after PDLP)."""
        solution = self.h.getSolution()
        return np.asarray(solution.col_value, dtype=float), np.asarray(solution.row_dual, dtype=float)

    @property
    def roomy(self) -> bool:
        """Whether at least ``SIMPLEX_FREE_SHARE`` of the agents are free."""
        return len(self.agents) - len(self.fixed) >= SIMPLEX_FREE_SHARE * len(self.agents)

    def warm_solution(self, point: tuple[list[int], np.ndarray, np.ndarray]) -> highspy.HighsSolution:
        """A first-order point of this level (panel ids, column values, row duals; new panels at 0, panels dropped
        since left out) as the start of a PDLP run or of crossover. From the level's last point at ``PDLP_TOL``
        (``start``) PDLP goes on from where it stopped instead of from the origin (2,000 distinct nominees, third
        level, 7 of its heaviest panels left out: 40,600 iterations from the point without them against 113,000 from
        the origin, measured 2026-12-06); from the last iterate of the run at the model's tolerances (``last``) it was
        slower than from the origin there, so that one only starts crossover. Any start gives the same optimum within
        PDLP's tolerances, and crossover then makes it exact; the start comes from the same deterministic runs, so the
        result stays reproducible."""
        ids, col_value, row_dual = point
        where = {c: j for j, c in enumerate(self.ids)}
        kept = [(where[c] + 1, v) for c, v in zip(ids, col_value[1:], strict=True) if c in where]  # not dropped since
        values = np.zeros(self.rows + 1)
        values[0] = col_value[0]
        values[[j for j, _ in kept]] = [v for _, v in kept]
        solution = highspy.HighsSolution()
        solution.col_value = values.tolist()
        solution.row_dual = row_dual.tolist()
        solution.col_dual = [0.0] * (self.rows + 1)
        solution.row_value = [0.0] * len(row_dual)
        solution.value_valid = True
        solution.dual_valid = True
        return solution

    def interior(self) -> np.ndarray | None:
        """λ over the model's panels of the last point PDLP reached at the model's tolerances (or the interior point
        method, ``interior_vertex``), if the level's LP has only gained panels since (at 0 there); None otherwise. Such
        a point lies (nearly) in the relative interior of the optimal face, where every agent that can be above the
        level in some optimal distribution is (``_Engine.widen``)."""
        if self.point is None:
            return None
        ids, lam = self.point
        where = {c: j for j, c in enumerate(self.ids)}
        out = np.zeros(len(self.ids))
        for c, v in zip(ids, lam, strict=True):
            j = where.get(c)
            if j is None:
                return None
            out[j] = v
        return out

    @property
    def vertex(self) -> bool:
        """Whether the model holds a basis (not only a first-order point, see ``points``)."""
        return bool(self.h.getBasis().valid)

    def solve(self) -> tuple[np.ndarray, np.ndarray, float]:
        """(dual weights of the agents in ``agents`` order, λ of the known panels, the level). With ``points``, a
        large model with no basis to start from may end at a first-order point (``first_order``)."""
        # A warm start usually needs a few hundred iterations, but on these degenerate LPs simplex can stall
        # from an old basis. An iteration limit (deterministic, unlike a time limit) cuts such a stall short.
        size = self.h.getNumRow() + self.h.getNumCol()
        self.h.setOptionValue("simplex_iteration_limit", WARM_ITERATIONS + WARM_ITERATIONS_PER_ROW * size)
        basis = self.h.getBasis()
        self.pointed = False
        self.settled = False
        self.from_interior = False
        afresh, self.afresh = self.afresh, False
        crossed = self.cross()
        warm = False  # a warm simplex run from ``basis`` ended the solve (see stalled)
        if not crossed and afresh and basis.valid:
            self.h.clearSolver()
            if not self.first_order():
                self.h.setBasis(basis)  # the first-order start failed: warm primal simplex, as without restart
                self.warm_run()
                warm = True
        elif not crossed and basis.valid:
            self.warm_run()
            warm = True
        elif not crossed and (self.h.getNumRow() <= FIRST_ORDER_ROWS or not self.first_order()):
            self.run()
        status = self.h.getModelStatus()
        if warm and status == highspy.HighsModelStatus.kIterationLimit and not self.stalled:
            self.stalled = True
            self.h.setBasis(basis)
            self.warm_run()
            status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal and not self.pointed:
            # A warm start that ends anywhere else is retried once from scratch before giving up (a large
            # model by PDLP and crossover first); that solve has a limit too (deterministic, generous): no
            # LP solve runs without an end.
            self.h.setOptionValue("simplex_iteration_limit", COLD_ITERATIONS)
            self.h.clearSolver()
            if self.h.getNumRow() <= FIRST_ORDER_ROWS or not self.first_order():
                self.run()
            status = self.h.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal and not self.pointed:
                raise LotteryError(f"the LP solver failed: {self.h.modelStatusToString(status)}")
        solution = self.h.getSolution()
        y = np.asarray(solution.row_dual, dtype=float)[1:]  # >= 0 for rows at their lower bound (minimising)
        lam = np.asarray(solution.col_value, dtype=float)[1:]
        return y, lam, float(solution.col_value[0])

    def run(self, h: highspy.Highs | None = None) -> None:
        """Run HiGHS on ``h`` (default: the model) and charge its work (``charge``)."""
        h = self.h if h is None else h
        h.run()
        self.charge(h)

    def charge(self, h: highspy.Highs) -> None:
        """Add the last run's deterministic work to ``work``: its simplex iterations (crossover's, when they count them,
        included) by the size of the model, PDLP's and HiGHS's interior point's by its nonzeros (``LP_ITERATION_WORK``,
        ``PDLP_ITERATION_WORK``)."""
        info = h.getInfo()
        size = h.getNumRow() + h.getNumCol()
        steps = max(0, int(info.simplex_iteration_count)) + max(0, int(info.crossover_iteration_count))
        passes = max(0, int(info.pdlp_iteration_count)) + max(0, int(info.ipm_iteration_count))
        self.work += LP_ITERATION_WORK * steps * size + PDLP_ITERATION_WORK * passes * h.getNumNz()

    def charge_crossover(self) -> None:
        """Charge a crossover, whose iterations HiGHS does not report: as many simplex iterations as the model has rows
        (crossover makes a basis of them from the point; by the point's positive columns instead it charged 84 units
        for D011's first solve at 10,000 mediators, about 3 s of CPU, the point holding 42,700 tiny positive values)."""
        rows = self.h.getNumRow()
        self.work += LP_ITERATION_WORK * rows * (rows + self.h.getNumCol())

    def crossover_here(self) -> None:
        """Crossover from the model's current (first-order) point, charged (``charge_crossover``)."""
        self.h.crossover(self.h.getSolution())
        self.charge_crossover()

    def take_work(self) -> float:
        """The work charged since the last call (``_Engine`` adds it to the run's budget work)."""
        work, self.work = self.work, 0.0
        return work

    def warm_run(self) -> None:
        """A warm simplex run from the model's basis: primal simplex (new panels leave the basis primal feasible, and a
        fixed agent's row keeps the current solution), in a later level of a large model (over ``UNPERTURBED_ROWS`` rows)
        without HiGHS's bound perturbation; dual simplex once primal stalled in this level (``stalled``, reset by ``fix``).

        The later levels' LPs are primal degenerate (nearly every fixed agent's row is tight), and the perturbed bounds
        cost primal simplex its way there: D002 at 10,000 mediators (3,323 rows, 11,800 to 18,400 panels; levels 36 to
        41 rebuilt offline from the run's own basis, 2026-12-07) took 1,689 to 2,382 iterations (0.4 to 0.9 s of CPU) a
        level's first solve with it and 41 to 128 without (0.01 to 0.04 s). At the 41st level (6 agents free, 3,316
        fixed) the perturbed run did not end within its iteration limit at all (it needs 54,937 iterations, 15 s) and the
        cold start after it took PDLP to its limit, the interior point and PDLP at ``PDLP_TOL``: 68 s of CPU a solve,
        340 s for that level's five; without perturbation 224 iterations, 0.03 s. Where a run still stops at its limit,
        dual simplex from the same basis goes on (10,106 iterations, 1.5 s on that LP, against 2 to 7 times primal's
        work on the levels before it) before the cold start."""
        h = self.h
        unperturbed = bool(self.fixed) and h.getNumRow() > UNPERTURBED_ROWS
        if unperturbed:
            h.setOptionValue("primal_simplex_bound_perturbation_multiplier", 0.0)
        if self.stalled:
            h.setOptionValue("simplex_strategy", SIMPLEX_DUAL)
        self.run(h)
        h.setOptionValue("simplex_strategy", SIMPLEX_PRIMAL)
        h.setOptionValue("primal_simplex_bound_perturbation_multiplier", 1.0)

    def cross(self) -> bool:
        """When a vertex is wanted of a model that still holds the first-order point of its last solve (a level whose
        point did not prove it, see ``_Engine.dual``): crossover from that point, and primal simplex from its basis
        if it stops short, instead of PDLP from scratch again (where PDLP stopped at its limit at the model's own
        tolerances, a second run to that limit and a third at ``PDLP_TOL``). Only from a point PDLP converged to
        (``held``). Whether it was tried."""
        if not self.held or self.points:
            return False
        self.held = False
        h = self.h
        self.crossover_here()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal and h.getBasis().valid:
            self.run(h)
        return True

    def settle_level(self, point: highspy.HighsSolution) -> bool:
        """When PDLP's point (at ``PDLP_TOL``) reaches the level's ``ceiling`` within ``CEILING_NEAR``, a vertex by
        ``settle`` with ``z`` held at that point's value less ``CEILING_NEAR`` rather than by crossover from the point:
        the level is then about to end on its uniform bound, every distribution on the optimal face seats everybody
        exactly as often, and crossover from such a point with thousands of panels in its support took minutes (2,000
        distinct nominees, third level, last round: 276 s of CPU). Primal simplex then goes on from the settled vertex to
        the level's own optimum. Whether the model ends at an optimal vertex (else the caller crosses over as before)."""
        h = self.h
        z = float(point.col_value[0])
        if not self.reaches_ceiling(z):
            return False
        self.settle(z - CEILING_NEAR)
        if h.getBasis().valid:
            self.run(h)
            if h.getModelStatus() == highspy.HighsModelStatus.kOptimal and h.getBasis().valid:
                self.settled = True
                return True
        h.clearSolver()
        return False

    def reaches_ceiling(self, z: float) -> bool:
        """Whether the level ``z`` of a point is within ``CEILING_NEAR`` of the level's ``ceiling`` (see ``settle_level``)."""
        return self.ceiling is not None and z >= self.ceiling - CEILING_NEAR

    def settle(self, floor: float = 0.0) -> None:
        """A vertex of the final LP (``release``) for a large model that holds no basis, only a first-order point
        (``points``): the final solve must end at a vertex (``_exact_vertex``), and crossover from a point PDLP
        reaches on the optimal face of this degenerate LP, with thousands of panels in its support, took minutes
        (2,000 distinct nominees: over 150 s of CPU at the third level). With a small random cost on every panel
        (``SETTLE_COST``, seeded: the same vertex on every run) and ``t >= 0``, the optimum is one vertex, to which
        PDLP converges with a support of about one panel per row, and crossover from there takes seconds
        (offline, that final LP: 13 s of PDLP to its iteration limit, 10 s of crossover, 12 s of the primal simplex
        below). The costs and the bound on ``t`` are then taken back, and ``solve`` goes on from that basis by primal
        simplex to the final LP's own optimum (when it fails, from scratch as always). The floors reached by
        every level hold at ``t = 0``, so the cost moves nothing but which optimal vertex is reached."""
        h = self.h
        columns = np.arange(1, self.rows + 1, dtype=np.int32)
        costs = SETTLE_COST * (1.0 + np.random.default_rng(ROUNDING_SEED).random(self.rows))
        h.changeColsCost(self.rows, columns, costs)
        h.changeColBounds(0, floor, highspy.kHighsInf)
        h.clearSolver()
        h.setOptionValue("solver", "pdlp")
        h.setOptionValue("pdlp_iteration_limit", PDLP_FINE_ITERATIONS)
        self.run(h)
        h.setOptionValue("solver", "simplex")
        if h.getModelStatus() in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kIterationLimit):
            self.crossover_here()
        h.changeColsCost(self.rows, columns, np.zeros(self.rows))
        h.changeColBounds(0, -highspy.kHighsInf, highspy.kHighsInf)

    def restart(self) -> None:
        """Have the next solve of a large model start by a first-order method and crossover (``first_order``)
        instead of primal simplex from the last basis (kept: when that start fails, the solve goes on from it).
        Used when many panels were added at once: warm primal simplex then pivots thousands of times through a dense basis (2,000 distinct nominees, the
        second level's first solve with 2,000 new panels: 4,563 iterations, 194 s of CPU; the first-order
        solve and crossover about half of that; 1,000: 50 s in all instead of 55). Small models (up to
        ``FIRST_ORDER_ROWS`` rows) keep their basis. Any optimal vertex will do: the levels end on pricing proofs."""
        self.afresh = self.h.getNumRow() > FIRST_ORDER_ROWS

    def lift(self, agents: Sequence[int], value: float) -> np.ndarray | None:
        """λ of a distribution over the model's panels that keeps every free agent at the level ``value`` or
        above and every fixed one at its value, with as many of ``agents`` as it can at least ``WIDEN_LIFT``
        above the level (``_Engine.widen`` uses it: an agent strictly above the level in some such distribution
        carries no proof weight in any optimal dual). A copy of the model, with ``z`` held at ``value``, the
        objective ``Σ min(m_a (p_a - value), m_a WIDEN_LIFT)`` over ``agents`` (a column ``s_a`` in [0, m_a
        WIDEN_LIFT] per agent, taken from its row), warm-started from this model's optimal basis: that
        solution stays feasible, so primal simplex only improves it, and when the iteration limit
        (``WIDEN_ITERATIONS``, per row) stops it early its current solution is still a feasible one. None
        when HiGHS ends with no feasible solution at hand."""
        h = _new_highs()
        _primal_simplex(h)
        h.passModel(self.h.getLp())
        basis = self.h.getBasis()
        if basis.valid:
            h.setBasis(basis)
        h.changeColCost(0, 0.0)
        h.changeColBounds(0, value, value)
        count = len(agents)
        rows = self.row_of[list(agents)].astype(np.int32)
        h.addCols(
            count,
            np.full(count, -1.0),
            np.zeros(count),
            WIDEN_LIFT * self.mult[list(agents)],
            count,
            np.arange(count, dtype=np.int32),
            rows,
            np.full(count, -1.0),
        )
        h.setOptionValue("simplex_iteration_limit", _widen_iterations(h))
        self.run(h)
        status = h.getModelStatus()
        feasible = h.getInfo().primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kIterationLimit) or not feasible:
            return None
        return np.asarray(h.getSolution().col_value, dtype=float)[1 : self.rows + 1]


def _solution(matrix: sparse.csc_matrix, cost: np.ndarray, point: interior.Point) -> highspy.HighsSolution:
    """The interior point method's ``point`` of the LP (``matrix``, ``cost``) as a HiGHS solution, reduced costs and row
    values included (crossover needs them)."""
    solution = highspy.HighsSolution()
    solution.col_value = point.col_value.tolist()
    solution.row_value = (matrix @ point.col_value).tolist()
    solution.row_dual = point.row_dual.tolist()
    solution.col_dual = (cost - matrix.T @ point.row_dual).tolist()
    solution.value_valid = True
    solution.dual_valid = True
    return solution


def _primal_simplex(h: highspy.Highs) -> None:
    """The master LP's options: serial primal simplex, no presolve, a fixed seed, tolerances ``LP_TOL``."""
    for name, value in (
        ("solver", "simplex"),
        ("simplex_strategy", SIMPLEX_PRIMAL),
        ("presolve", "off"),
        ("random_seed", 0),
    ):
        h.setOptionValue(name, value)
    _tolerances(h, LP_TOL)


def _tolerances(h: highspy.Highs, tolerance: float) -> None:
    """HiGHS's primal and dual feasibility tolerances (PDLP reads them as its relative tolerances)."""
    h.setOptionValue("primal_feasibility_tolerance", tolerance)
    h.setOptionValue("dual_feasibility_tolerance", tolerance)


def _widen_iterations(h: highspy.Highs) -> int:
    """The simplex iteration limit of widening's LPs, from the size of the model ``h`` holds."""
    return WIDEN_ITERATIONS + WIDEN_ITERATIONS_PER_ROW * (h.getNumRow() + h.getNumCol())


class _Engine:
    def __init__(self, oracle: PricingOracle, budget: Budget | None = None, cancel: CancelToken | None = None) -> None:
        self.oracle = oracle
        self.n = oracle.n
        self.k = oracle.size
        self.columns = _Columns(self.n)
        self.mult = _multiplicity(oracle)
        self.master: _Master | None = None
        self.improve: Callable[[np.ndarray, Sequence[Panel]], list[Panel]] | None = getattr(oracle, "improve", None)
        self.lp_solves = 0
        self.pricing_calls = 0
        self.proven = True
        self.started = time.perf_counter()
        self.budget = budget or Budget()
        self.cancel = cancel
        self.rounds = 0  # column-generation rounds: passes of the covering, level and Nash loops
        self.work = 0.0  # deterministic seconds of CP-SAT pricing so far
        self.stopped: str | None = None  # STOPPED_BY_USER or STOPPED_BY_BUDGET once the run was cut short
        self.level_bound_seen: Fraction | None = None  # the least proven bound on the current level
        self.oracle_proof: tuple[np.ndarray, int] | None = None  # the oracle's proof of the level (``oracle_bound``)
        self.face_spent = False  # the level's face pricing found nothing above the cap (``face_panels``)
        self.idle = np.zeros(0, dtype=np.int64)  # per known panel: rounds in a row far from useful (prune)
        self.noise = np.random.default_rng(ROUNDING_SEED)  # seeded tie-breaking for the local searches
        self.vertices = True  # the master LP must end at a vertex (see dual); off at the start of each level
        # An oracle may turn the widening off (``widening`` false: the dispute oracle past its enumeration cap).
        self.widening = bool(getattr(oracle, "widening", True))
        self.stored: Callable[[np.ndarray], Sequence[Panel]] | None = getattr(oracle, "stored", None)

    def halted(self) -> bool:
        """A safe point, at the start of each round: whether the run must stop here (a stop was asked
        for, or the budget is spent), which then marks the result unproven. Counts the round."""
        if self.stopped is None:
            if stop_asked(self.cancel):
                self.stopped = STOPPED_BY_USER
            elif not self.budget.left(self.rounds, self.work):
                self.stopped = STOPPED_BY_BUDGET
        if self.stopped is not None:
            self.proven = False
            return True
        self.rounds += 1
        return False

    def price(self, weights: np.ndarray, restriction: Restriction | None = None) -> Pricing:
        self.pricing_calls += 1
        answer = self.oracle.best(weights.astype(np.int64), restriction)
        self.work += answer.work
        if answer.panel is not None:
            others = tuple(tuple(sorted(p)) for p in answer.others)
            answer = Pricing(tuple(sorted(answer.panel)), answer.value, answer.proven, answer.bound, others)
        return answer

    def add_improving(self, answer: Pricing, y: np.ndarray, cap: float) -> bool:
        """Add the answer's panel and the other panels it met whose dual weight beats ŷ by more than EPS."""
        added = False
        panels = [panel for panel in (answer.panel, *answer.others) if panel is not None]
        for panel, weight in zip(panels, _panel_weights(y, panels).tolist(), strict=True):
            if weight > cap + EPS:
                added = self.columns.add(panel) or added
        return added

    def scaled(self, y: np.ndarray, bits: int = WEIGHT_BITS) -> tuple[np.ndarray, float]:
        """Integer weights for float weights ``y`` >= 0, and the scale S (weights ~ y * S)."""
        top = float(y.max()) if len(y) else 0.0
        if top <= 0:
            return np.zeros(self.n, dtype=np.int64), 1.0
        scale = float(2**bits) / top
        return np.rint(np.clip(y, 0, None) * scale).astype(np.int64), scale

    @staticmethod
    def coarse(weights: np.ndarray) -> tuple[np.ndarray, int]:
        """The weights shifted right to ``COARSE_BITS`` bits, and the shift."""
        top = int(weights.max()) if len(weights) else 0
        shift = max(0, top.bit_length() - COARSE_BITS)
        return weights >> shift, shift

    def exact(self, weights: np.ndarray, first: Pricing | None = None) -> Pricing:
        """The proven best panel for large integer weights, in two stages.

        With ``w = 2^s c + r`` (``c`` the coarse weights, ``0 <= r < 2^s``) and ``V`` the coarse value
        of a panel found for ``c``, the best panel for ``w`` has coarse value at least ``V - k + 1``,
        so it is the best for ``w`` among those: a small set, on which the large coefficients are cheap.
        """
        coarse, shift = self.coarse(weights)
        if shift == 0:
            return self.price(weights)
        if first is None:
            first = self.price(coarse)
        if first.panel is None:
            return first
        fine = self.price(weights, Restriction(coarse, first.value - self.k + 1, FINE_TIME_LIMIT))
        if fine.panel is None:  # the oracle gave up; the coarse panel is all we know
            return Pricing(first.panel, int(weights[list(first.panel)].sum()), False)
        if not fine.proven:
            return Pricing(fine.panel, fine.value, False, None)  # a bound under a restriction bounds nothing else
        return fine

    # -- agents in no feasible panel --------------------------------------------------------------

    def cover(self) -> list[int]:
        """Agents in at least one feasible panel (sorted); found panels become the first columns."""
        covered = np.zeros(self.n, dtype=bool)
        while True:
            if self.columns.panels and self.halted():  # agents not met yet stay out: not proven
                break
            if self.cover_cheaply(covered):
                continue
            answer = self.price((~covered).astype(np.int64))
            if answer.panel is None:
                if not answer.proven:
                    self.proven = False
                if not self.columns.panels:
                    raise LotteryError("no feasible panel exists" if answer.proven else "no feasible panel was found")
                break
            if answer.value == 0:
                self.covered_all(answer, covered)
                break
            for panel in (answer.panel, *answer.others):
                if not covered[list(panel)].all():
                    self.columns.add(panel)
                    covered[list(panel)] = True
            if covered.all():
                break
        return [int(i) for i in np.flatnonzero(covered)]

    def covered_all(self, answer: Pricing, covered: np.ndarray) -> None:
        """No panel with an agent not covered yet: unproven, or proven and then told to the oracle."""
        if not answer.proven:
            self.proven = False
        elif hasattr(self.oracle, "restrict"):
            # Proven: no feasible panel holds an uncovered agent, so the oracle may drop them.
            self.oracle.restrict([int(i) for i in np.flatnonzero(covered)])

    def cover_cheaply(self, covered: np.ndarray) -> bool:
        """The oracle's local search (if any) from the known panels towards the agents not covered yet
        (seeded noise breaks ties); adds the panels that cover some and marks them. Whether it did."""
        if self.improve is None or not self.columns.panels or covered.all() or not CHEAP_COVER:
            return False
        y = (~covered) * (1.0 + self.noise.random(self.n))
        weight = self.columns.weights(y)
        order = np.argsort(-weight, kind="stable")[:HEURISTIC_STARTS]
        found = False
        for panel in self.improve(y, [self.columns.panels[int(r)] for r in order]):
            panel = tuple(sorted(panel))
            if not covered[list(panel)].all():
                self.columns.add(panel)
                covered[list(panel)] = True
                found = True
        return found

    def spread(self, covered: list[int]) -> None:
        """Many varied panels before the first LP, found by the oracle's local search alone (no LP, no
        CP-SAT): multiplicative weights that favour the people least often seated so far, so that each
        new panel seats those the earlier ones left out (``SPREAD_ROUNDS`` per agent, ``SPREAD_RATE``).
        Every panel comes from ``improve``, so it meets every rule; the levels are then proven exactly
        as without them. Oracles without ``improve`` skip this."""
        if self.improve is None or not self.columns.panels or not covered:
            return
        agents = np.asarray(covered, dtype=np.int64)
        seats = np.zeros(self.n)  # expected seats per person so far
        for panel in self.columns.panels:
            np.add.at(seats, list(panel), 1.0)
        rounds = min(SPREAD_MAX, int(SPREAD_ROUNDS * len(covered)))
        rng = self.noise
        misses = 0
        for _ in range(rounds):
            share = seats[agents] / self.mult[agents]
            y = np.zeros(self.n)
            # Seeded noise breaks the many ties, so that each search looks at other people.
            y[agents] = np.exp(-SPREAD_RATE * (share - share.min())) * (1.0 + rng.random(len(agents)))
            weight = self.columns.weights(y)
            start = self.columns.panels[int(np.argmax(weight))]
            found = [tuple(sorted(p)) for p in self.improve(y, [start])]
            new = [p for p in found if self.columns.add(p)]
            misses = 0 if new else misses + 1
            if misses > SPREAD_MISSES:
                break
            for panel in new:
                np.add.at(seats, list(panel), 1.0)

    def spread_level(self, covered: list[int], fixed: dict[int, float]) -> None:
        """Many varied panels before a later level's first LP, as ``spread`` finds them before the first one, with
        each person's seats measured against a target: a fixed agent's value, and for the free agents the share
        of the seats the fixed ones leave, ``(k - Σ_fixed m_j f_j) / Σ_free m_i`` (the most they could all get).
        The weights then favour the free agents while still seating each fixed one as often as its value asks,
        which is what the level's distribution must do; its LP, which otherwise takes tens to hundreds of
        rounds of a few panels each, then starts from panels that nearly hold it. Every panel comes from
        ``improve``, so it meets every rule, and the level still ends only on an exact pricing proof: the levels
        do not change. Each search counts every panel it reaches (new or known); the searches stop after
        ``SPREAD_MISSES`` in a row found nothing new, or when a stop is asked for."""
        if self.improve is None or not self.columns.panels or not fixed or len(fixed) >= len(covered):
            return
        agents = np.asarray(covered, dtype=np.int64)
        mult = self.mult[agents].astype(float)
        free = np.fromiter((a not in fixed for a in covered), dtype=bool, count=len(covered))
        held = sum(float(f) * float(self.mult[a]) for a, f in fixed.items())
        share = max((self.k - held) / float(mult[free].sum()), max(fixed.values()), 1e-9)
        # An oracle's own targets (``targets``: the quota oracle's leximin over its LP relaxation) replace the share.
        targets = getattr(self.oracle, "targets", None)
        goal = None if targets is None else targets([a for a in covered if a not in fixed], fixed)
        if goal is None:
            goal = np.full(self.n, share)
        target = np.asarray([max(fixed.get(a, float(goal[a])), 1e-9) for a in covered]) * mult
        target /= target.mean()  # one seat more divides the weight of a person at the mean target by e
        position = np.full(self.n, -1, dtype=np.int64)
        position[agents] = np.arange(len(agents))
        seats = np.zeros(len(agents))
        rng = self.noise
        misses = 0
        # An oracle's ``on_face(panel)`` (the quota oracle: on the face of its relaxation's level proofs, where every
        # distribution keeping the levels so far takes its panels when the relaxation is tight) keeps the searches
        # there: they start from such panels and only such panels join.
        on_face = getattr(self.oracle, "on_face", None)
        usable = np.array([on_face is None or on_face(p) for p in self.columns.panels], dtype=bool)
        if not usable.any():
            usable[:] = True
            on_face = None
        searches = min(SPREAD_MAX, int(SPREAD_ROUNDS * len(covered)), SPREAD_PER_FREE * int(free.sum()))
        for _ in range(searches):
            if stop_asked(self.cancel):
                break
            used = seats / target
            y = np.zeros(self.n)
            y[agents] = np.exp(-SPREAD_RATE * (used - used.min())) * (1.0 + rng.random(len(agents)))
            weight = np.where(usable, self.columns.weights(y), -np.inf)
            start = self.columns.panels[int(np.argmax(weight))]
            found = [p for p in (tuple(sorted(p)) for p in self.improve(y, [start])) if on_face is None or on_face(p)]
            new = [p for p in found if self.columns.add(p)]
            usable = np.concatenate([usable, np.ones(len(self.columns.panels) - len(usable), dtype=bool)])
            misses = 0 if new else misses + 1
            if misses > SPREAD_MISSES:
                break
            for panel in found:
                seen = position[list(panel)]
                np.add.at(seats, seen[seen >= 0], 1.0)
        master = self.master
        if master is not None and len(self.columns.pending) >= RESTART_SHARE * master.h.getNumRow():
            master.restart()

    # -- leximin levels ------------------------------------------------------------------------

    def sync(self, agents: list[int], fixed: dict[int, float]) -> _Master:
        """The master LP over ``agents`` with every known panel and every agent in ``fixed`` fixed."""
        if self.master is None:
            self.master = _Master(agents, self.n, self.mult)
        master = self.master
        ids = self.columns.take_pending()
        master.add([self.columns.panels[j] for j in ids], ids)
        for a, value in fixed.items():
            if a not in master.fixed:
                master.fix(a, value)
        return master

    def share(self, free: Sequence[int], fixed: dict[int, float]) -> Fraction:
        """``(k - Σ_fixed m_j f_j) / Σ_free m_i``, exactly: the weak-duality bound of the uniform weights (1 for
        every agent in a panel, so ``max_P w(P) <= k`` without any pricing call). Every distribution that gives
        the fixed agents their values seats the free ones at most ``k - Σ_fixed m_j f_j`` times, so one of them
        at most this share; at the last level every free agent gets it (all seats are then taken)."""
        ones = np.zeros(self.n, dtype=np.int64)
        ones[list(free)] = 1
        ones[list(fixed)] = 1
        bound = self.level_bound(ones, self.k, fixed, free)
        return Fraction(0) if bound is None else bound

    def uniform_proof(
        self, free: list[int], fixed: dict[int, float], value: float
    ) -> tuple[np.ndarray, float, Fraction] | None:
        """When the known panels reach the uniform weights' bound (``share``) within EPS: those weights, the
        level's value and the bound, as ``level`` returns a proof; no pricing call is needed. Otherwise None."""
        if not fixed:
            return None
        bound = self.share(free, fixed)
        if bound > value + EPS:
            return None
        ones = np.zeros(self.n, dtype=np.int64)
        ones[list(free)] = 1
        ones[list(fixed)] = 1
        return ones, value, bound

    def dual(self, agents: list[int], fixed: dict[int, float]) -> tuple[np.ndarray, float, float]:
        """Solve the level's LP over the known panels: (dual weights y over all n agents, ŷ, level value).

        The primal (maximise z with p_i >= z for the free agents and p_j >= f_j for the fixed ones) is
        solved, warm-started, and y read from its row duals: HiGHS's feasibility tolerance then absorbs
        the last bit of a fixed value that the known panels reach only up to rounding. Unless ``self.vertices``,
        a large model may end at a first-order point instead of a vertex (``_Master.first_order``): its duals
        are used as they are (the cap ŷ is taken over the known panels and the proof is computed exactly, so
        any y >= 0 gives a valid bound) and the value is the least chance of a free agent in its clipped and
        normalised distribution, which the known panels do reach.
        """
        master = self.sync(agents, fixed)
        master.points = not self.vertices
        master.ceiling = float(self.share([a for a in agents if a not in fixed], fixed)) if fixed else None
        duals, lam, value = master.solve()
        self.lp_solves += 1
        self.work += master.take_work()  # the LP's work counts against the budget like the pricing's (_Master.charge)
        if fixed and (self.vertices or master.rough):
            # A later level's vertex, after a point that did not prove it, or any solve of a level where PDLP stopped at
            # its limit at the model's tolerances: the next solve (after new panels) starts by a first-order method
            # again rather than by warm primal simplex through the dense basis, unless that level has many agents
            # free (SIMPLEX_FREE_SHARE): warm simplex then.
            self.vertices = False
            if not (master.rough and master.roomy):
                master.restart()
        if not master.vertex or master.from_interior:
            # From crossover of the interior point too: that vertex's z came out 2e-10 above the level's proven bound
            # (the eighth level of the assembly-shaped pool), within HiGHS's tolerances, and the agents fixed there
            # left the next level's LP infeasible at that scale; its distribution's least free chance does not.
            lam = np.clip(lam, 0.0, None)
            chance = _float_marginals([self.columns.panels[j] for j in master.ids], lam / lam.sum(), self.n, self.mult)
            if not master.vertex and any(chance[a] < f - LP_TOL for a, f in fixed.items()):
                self.vertices = True  # a point too rough to keep the fixed agents' values: its vertex instead
                return self.dual(agents, fixed)
            value = min(value, float(chance[[a for a in agents if a not in fixed]].min()))
        y = np.zeros(self.n)
        y[master.agents] = np.clip(duals, 0.0, None)
        weights = self.columns.weights(y)
        cap = float(weights[master.ids].max()) if master.ids else 0.0
        self.prune(master, weights, cap)
        return y, cap, value

    def prune(self, master: _Master, weights: np.ndarray, cap: float) -> None:
        """Take out of the master LP the panels far from useful: nonbasic at 0 for ``DROP_AGE`` rounds in
        a row with a reduced cost ``cap - y(P)`` above ``DROP_SLACK * cap``. They stay known, and any of
        them that prices above the cap again is brought back (``heuristic``, ``add_improving``); a
        smaller LP is faster, and nothing else changes: every level still ends only on an exact pricing
        proof over all feasible panels, and the current solution stays in the model (only nonbasic
        panels at 0 are removed), so every level reached so far stays reachable."""
        if len(self.idle) < len(self.columns.panels):
            self.idle = np.concatenate([self.idle, np.zeros(len(self.columns.panels) - len(self.idle), dtype=np.int64)])
        ids = np.asarray(master.ids, dtype=np.int64)
        unused = master.unused()
        far = np.zeros(len(ids), dtype=bool)
        far[unused] = True
        far &= cap - weights[ids] > DROP_SLACK * cap
        self.idle[ids] = np.where(far, self.idle[ids] + 1, 0)
        if len(ids) <= DROP_ABOVE:
            return
        stale = np.flatnonzero(self.idle[ids] >= (DROP_AGE_STEEP if self.steep() else DROP_AGE))
        if len(stale):
            self.leave(master, stale)

    def leave(self, master: _Master, positions: np.ndarray) -> None:
        """Take the master LP's panels at ``positions`` out of it (``prune``, ``trim_to_face``): they stay known and
        marked dropped, to come back when one prices above the cap again, with their idle rounds reset."""
        ids = np.asarray(master.ids, dtype=np.int64)[positions]
        master.drop(positions)
        self.columns.dropped.update(int(j) for j in ids)
        self.idle[ids[ids < len(self.idle)]] = 0

    def heuristic(self, y: np.ndarray, cap: float) -> bool:
        """Cheap pricing: the oracle's own local search (``improve``, if it has one) from the known panels
        of largest dual weight; adds the improving panels it finds. Never a proof: only the oracle's
        exact answer ends a level. (The dispute oracle's swap search, ``matching.lottery.dispute.LOCAL_SEARCH``,
        is off by default: at 10,000 mediators its columns did not save CPU, since exact pricing still
        spends the budget.)"""
        if self.improve is None or not self.columns.panels:
            return False
        weight = self.columns.weights(y)
        added = False
        for j in sorted(self.columns.dropped):
            if weight[j] > cap + HEURISTIC_MARGIN:  # a dropped panel useful again: cheapest pricing of all
                added = self.columns.add(self.columns.panels[j]) or added
        new = [p for p in self.cheap_panels(y, cap) if self.columns.add(p)]
        if new:
            new += self.burst(y, cap, new)
        return added or bool(new)

    def steep(self) -> bool:
        """Whether this round is one of a roomy rough level (``_Master.rough`` with at least ``SIMPLEX_FREE_SHARE`` of
        the agents free, after the first level), whose rounds price exactly even when the local search found panels."""
        master = self.master
        return bool(STEEP_PRICINGS and master is not None and master.rough and master.roomy and master.fixed)

    def steep_more(self, y: np.ndarray, cap: float) -> None:
        """The further exact pricings of a steep round: up to ``STEEP_PRICINGS - 1`` more, each with the weights of the
        people seated by the panels found this round (by the local search and the pricings before) divided by
        ``e^BURST_RATE`` per seat; the panels that beat the cap under the level's own duals ``y`` join. An answer that
        adds none (a miss) has its people decayed as well, so that the next pricing looks at others; the pricings stop
        at the ``STEEP_MISSES``-th miss. No proof is read from them: the level still ends only on the exact pricing of
        its own duals."""
        missed: list[Panel] = []
        for _ in range(STEEP_PRICINGS - 1):
            seats = np.zeros(self.n)
            for panel in [*(self.columns.panels[j] for j in self.columns.pending), *missed]:
                np.add.at(seats, list(panel), 1.0)
            answer = self.price(self.scaled(y * np.exp(-BURST_RATE * seats))[0])
            if not self.add_improving(answer, y, cap):
                if answer.panel is None or len(missed) + 1 >= STEEP_MISSES:
                    break
                missed.append(answer.panel)

    def face_panels(self, y: np.ndarray, cap: float) -> bool:
        """Pricing on the face of the oracle's level proof (``face_best``, if it has one, while that proof is not
        reached): where the proof is tight, the level's optimal distributions use such panels only, so the round's
        columns are all of use. Up to ``FACE_PRICINGS`` calls, each after the first with the weights of the people
        seated by the round's panels decayed as in ``burst``; the panels that beat the cap under ``y`` join. False
        when none does: the round then prices as without it (and only that can end a level the proof does not), and
        so do the level's later rounds."""
        face_best = getattr(self.oracle, "face_best", None)
        if face_best is None or self.oracle_proof is None or self.face_spent:
            return False
        seats = np.zeros(self.n)
        added = False
        for _ in range(FACE_PRICINGS):
            answer = face_best(self.scaled(y * np.exp(-BURST_RATE * seats))[0])
            if answer is None:
                return added
            self.pricing_calls += 1
            self.work += answer.work
            new = [
                p
                for p in (answer.panel, *answer.others)
                if p is not None and float(y[list(p)].sum()) > cap + HEURISTIC_MARGIN and self.columns.add(p)
            ]
            if not new:
                break
            added = True
            for panel in new:
                np.add.at(seats, list(panel), 1.0)
        self.face_spent = not added  # the face holds nothing better: not tried again in this level
        return added

    def burst(self, y: np.ndarray, cap: float, found: list[Panel]) -> list[Panel]:
        """More improving panels in a round of a rough level (``_Master.rough``), whose LP solves cost far more than
        a local search: the search runs again up to ``BURST_SEARCHES`` times (``BURST_ROOMY`` when the level's rounds
        are warm primal simplex), each with the weights of the people seated by the panels found so far this round
        divided by ``e^BURST_RATE`` per seat, so that it looks at the others; it keeps the panels that beat the cap
        under the true weights ``y`` and stops when a search adds none. The new panels (added to the columns)."""
        master = self.master
        if self.improve is None or master is None or not master.rough:
            return []
        searches = BURST_ROOMY if master.roomy else BURST_SEARCHES
        seats = np.zeros(self.n)
        for panel in found:
            np.add.at(seats, list(panel), 1.0)
        added: list[Panel] = []
        for _ in range(searches):
            new = [p for p in self.cheap_panels(y * np.exp(-BURST_RATE * seats), cap, y) if self.columns.add(p)]
            if not new:
                break
            for panel in new:
                np.add.at(seats, list(panel), 1.0)
            added += new
        return added

    def stored_panels(
        self, weights: np.ndarray, y: np.ndarray, cap: float, fixed: dict[int, float], searched: bool
    ) -> bool:
        """Cheap pricing from the panels the oracle already holds (``stored(weights)``, if it offers it: its known
        panels heaviest first under the round's integer weights, with no search and no proof) in a later level (some
        agents ``fixed``) whose round found nothing by the local search (not ``searched``); those that beat the cap
        under ``y`` by more than ``EPS`` join. Whether any did: the round then re-solves the LP without a pricing call.
        The level still ends only on an exact pricing's proof (a round where no stored panel beats the cap)."""
        if self.stored is None or not fixed or searched:
            return False
        added = False
        panels = [tuple(sorted(panel)) for panel in self.stored(weights.astype(np.int64))]
        for panel, weight in zip(panels, _panel_weights(y, panels).tolist(), strict=True):
            if weight > cap + EPS:
                added = self.columns.add(panel) or added
        return added

    def integer_weights(self, y: np.ndarray, agents: Sequence[int]) -> np.ndarray:
        """Exact integer weights ``q y`` when ``y`` has a common denominator ``q`` (LP vertex duals do: the
        basis determinant) that keeps them below ``2**WEIGHT_BITS``; otherwise integers in the ratios of ``y``
        when those are simple fractions (``_ratio_weights``); otherwise ``y`` scaled and rounded."""
        values = [(float(y[a]), a) for a in agents if y[a] > 0]
        top = max((v for v, _ in values), default=0.0)
        q = common_denominator([v for v, _ in sorted(values, reverse=True)], lambda q: q * top <= 2**WEIGHT_BITS)
        if q and values:
            ints = np.zeros(self.n, dtype=np.int64)
            for value, a in values:
                ints[a] = round(value * q)
            return ints
        ratios = _ratio_weights(values, self.n)
        if ratios is not None:
            return ratios
        return self.scaled(y)[0]

    def level_bound(
        self, weights: np.ndarray, best: int | None, fixed: dict[int, float], free: Sequence[int]
    ) -> Fraction | None:
        """Weak duality: with ``best >= max_P w(P)``, every distribution giving the fixed agents their values
        has a free agent at most ``(best - Σ_fixed m_j w_j f_j) / Σ_free m_i w_i`` (for any weights w >= 0;
        ``m`` the multiplicities, all 1 unless agents are classes)."""
        total = int((weights[list(free)] * self.mult[list(free)]).sum())
        if best is None or total <= 0:
            return None
        # Summed per fixed value (the agents a level fixes share one), then exactly as rationals: the same sum with a
        # few fractions instead of one per fixed agent (on D002 at 10,000 mediators 3.6 s of the lottery's 132 under
        # cProfile, 2026-12-07, at about 3,000 fixed agents a call).
        w, mult = weights.tolist(), self.mult.tolist()
        per_value: dict[float, int] = {}
        for j, f in fixed.items():
            per_value[f] = per_value.get(f, 0) + int(w[j]) * int(mult[j])
        held = sum((Fraction(f) * t for f, t in per_value.items()), Fraction(0))
        return (Fraction(best) - held) / total

    def level(self, agents: list[int], fixed: dict[int, float]) -> tuple[np.ndarray | None, float, Fraction | None]:
        """Column generation for one level until a pricing problem proves that the level is within EPS.

        Returns the integer weights of the proof (the dual weights, as fractions or scaled), the level's
        value (reached by the known panels) and the proven upper bound on the true level. The proof is
        weak duality (``level_bound``); when the fast weights cannot give it within EPS, precise
        weights (FINE_BITS, priced in two stages) are tried before the level is left unproven. When
        the run stops (``halted``) the weights are None, the value is what the known panels reach for
        every free agent and the bound the least one proven in this level so far (None if none).
        """
        free = [a for a in agents if a not in fixed]
        self.level_bound_seen = self.oracle_bound(free, fixed)
        self.first_columns(fixed)
        self.trim_to_face()
        self.face_spent = False
        # The first level ends on a vertex: its dual's exact weights make the certificate (``Lottery.certified``).
        self.vertices = not fixed
        for _ in range(MAX_COLUMN_ROUNDS):
            y, cap, value = self.dual(agents, fixed)
            reached = self.oracle_reached(fixed, free, value) or self.uniform_proof(free, fixed, value)
            if reached is not None or self.halted():
                return reached or (None, value, self.level_bound_seen)
            faced = self.face_panels(y, cap)  # panels on the face of the oracle's proof: no local search then
            searched = faced or self.heuristic(y, cap)
            weights = self.integer_weights(y, agents)
            if (searched and (faced or not self.steep())) or self.stored_panels(weights, y, cap, fixed, searched):
                continue
            answer = self.price(weights)
            if answer.panel is None:  # cannot happen once columns exist, unless the oracle gave up
                self.proven = False
                return weights, value, None
            if not fixed:  # the first level: every exact answer bounds it, kept as upper_bound if the run stops
                self.see_bound(self.level_bound(weights, answer.upper, fixed, free))
            if self.add_improving(answer, y, cap) or searched:  # new panels: no proof this round (see steep)
                if self.steep():
                    self.steep_more(y, cap)
                continue
            bound = self.level_bound(weights, answer.upper, fixed, free)
            self.see_bound(bound)
            if bound is not None and bound <= value + EPS:
                return weights, value, bound
            better = self.precise_proof(y, cap, fixed, free, weights, bound)
            if better is None:
                continue
            weights, bound = better
            if bound is None or bound > value + EPS:
                if self.master is not None and not self.master.vertex:
                    # A first-order point's duals did not prove the level: the vertex crossover makes of it may.
                    self.vertices = True
                    continue
                self.proven = False
                bound = self.level_bound_seen  # the least bound proven in this level, not only the last one
            return weights, value, bound
        raise LotteryError(f"column generation did not converge in {MAX_COLUMN_ROUNDS} rounds")

    def trim_to_face(self) -> None:
        """Take out of the master LP the panels off the face of the oracle's proven level proofs (``on_proven_face``:
        the quota oracle's faces of the levels that ended at its relaxation's value), except those the current
        solution uses. By complementary slackness with those proofs no distribution keeping the levels so far puts
        weight on such a panel, and the current solution (which keeps them) stays in the model, so every level
        reached so far stays reachable; they stay known, brought back like any dropped panel if one prices above the
        cap again (``heuristic``, ``add_improving``), and every level still ends only on an exact proof. A smaller LP is
        faster: the assembly-shaped pool's eighth level held 10,439 panels, most of them found for the first levels,
        off the later faces (see the module docstring)."""
        on_face = getattr(self.oracle, "on_proven_face", None)
        master = self.master
        if on_face is None or master is None or master.rows <= DROP_ABOVE:
            return
        if master.vertex:
            candidates = master.unused()  # nonbasic at 0: the basis stays valid without them
        else:
            lam = np.asarray(master.h.getSolution().col_value, dtype=float)[1:]
            if len(lam) != master.rows:
                return
            candidates = np.flatnonzero(lam <= 0.0)
        off = np.asarray(
            [j for j in candidates if not on_face(self.columns.panels[master.ids[int(j)]])], dtype=np.int64
        )
        if len(off):
            self.leave(master, off)

    def precise_proof(
        self,
        y: np.ndarray,
        cap: float,
        fixed: dict[int, float],
        free: list[int],
        weights: np.ndarray,
        bound: Fraction | None,
    ) -> tuple[np.ndarray, Fraction | None] | None:
        """The precise weights (``FINE_BITS``, priced in two stages) and their bound when it is less than ``bound``,
        else ``weights`` and ``bound``; None when their pricing met panels above the cap (added to the columns)."""
        fine, _ = self.scaled(y, FINE_BITS)
        precise = self.exact(fine)
        if precise.panel is not None:
            if self.add_improving(precise, y, cap):
                return None
            fine_bound = self.level_bound(fine, precise.upper, fixed, free)
            self.see_bound(fine_bound)
            if fine_bound is not None and (bound is None or fine_bound < bound):
                return fine, fine_bound
        return weights, bound

    def widen(
        self, agents: list[int], fixed: dict[int, float], value: float, weights: np.ndarray
    ) -> tuple[np.ndarray, int]:
        """Proof weights for the level just proven at ``value`` that put weight on as many free agents as the
        known panels allow, so that one level fixes them all (see "Fixing many agents per level").

        A small LP over the master's panels picks, on the restricted master's optimal dual face (its dual
        value at most ``value``), a dual ``y`` (``Σ_free m_i y_i = 1``) maximising the number of free
        agents with ``m_i y_i >= WIDEN_TARGET``; its integer weights are then priced exactly, and kept
        only when their weak-duality bound is within ``EPS`` of ``value``. A panel that beats them joins
        the small LP (and the known panels), which is solved again, up to ``WIDEN_ROUNDS`` times; an answer the
        oracle could not prove (CP-SAT at its limit) ends the widening: on D003 at 10,000 mediators the first level's
        widening priced 28-bit weights by CP-SAT three times, 11.5 units of work each, none proven (2026-12-07).
        Returns the proven weights (``weights`` when none are proven) and the pricing calls made."""
        master = self.master
        free = [a for a in agents if a not in fixed]
        if master is None or len(free) <= 1 or not master.vertex:
            return weights, 0
        panels = [self.columns.panels[j] for j in master.ids]
        known = set(panels)
        chosen = set(_heavy(weights, self.mult, free))
        if set(self.tight(master, free, value)) <= chosen:
            return weights, 0  # no optimal dual weighs anybody else (see tight): the small LP cannot gain
        point = master.interior()
        if point is not None and set(self.tight(master, free, value, point)) <= chosen:
            return weights, 0  # the same argument with the first-order point, from before crossover
        if self.above(master, free, fixed, value, weights, chosen):
            return weights, 0  # the oracle's relaxation or a distribution lifting the others puts them above the level
        calls = 0
        for _ in range(WIDEN_ROUNDS):
            y = _widest_dual(master.agents, self.n, self.mult, fixed, value, panels)
            if y is None:
                break
            candidate = self.integer_weights(y, agents)
            if set(_heavy(candidate, self.mult, free, fallback=False)) <= chosen:
                break  # nothing to gain: not worth a pricing call
            # Panels the local search finds above this dual's cap come first (cheap, no proof needed).
            cap = float(self.columns.weights(y)[[self.columns.index[p] for p in panels]].max())
            found = [p for p in self.cheap_panels(y, cap) if p not in known]
            if not found:
                answer = self.price(candidate)
                calls += 1
                bound = self.level_bound(candidate, answer.upper, fixed, free)
                if bound is not None and bound <= value + EPS:
                    return candidate, calls
                # An unproven answer (CP-SAT at its limit) ends the widening: the next weights would cost as much.
                found = [
                    p for p in (answer.panel, *answer.others) if answer.proven and p is not None and p not in known
                ]
            if not found:
                break
            for panel in found:
                panels.append(panel)
                known.add(panel)
                self.columns.add(panel)
        return weights, calls

    def above(
        self,
        master: _Master,
        free: list[int],
        fixed: dict[int, float],
        value: float,
        weights: np.ndarray,
        chosen: set[int],
    ) -> bool:
        """Whether widening is to be spared: the oracle's relaxation puts every free agent not ``chosen`` above the
        level ``value`` (``apart``), or a distribution of the lifting LP (``_Master.lift``) shows them above it, so that
        no optimal dual weighs them (``tight``)."""
        if self.apart(free, fixed, value, weights, chosen):
            return True
        lifted = master.lift([a for a in free if a not in chosen], value)
        return lifted is not None and set(self.tight(master, free, value, lifted)) <= chosen

    def apart(
        self, free: list[int], fixed: dict[int, float], value: float, weights: np.ndarray, chosen: set[int]
    ) -> bool:
        """Whether the level ended on the oracle's own proof (``oracle_reached``: its relaxation is tight there) and
        the oracle's ``targets`` (the leximin over that relaxation, keeping ``fixed``) put every free agent not
        ``chosen`` more than ``WIDEN_TIGHT`` above the level ``value``. ``widen`` then skips its lifting LP and small LPs
        (the assembly-shaped pool's eighth level: a 9.8 s lifting LP that fixed nobody more): where the relaxation is
        tight at the next level too, its value is the next level's, so nobody else is at this one. Where it is not,
        an agent left free here is fixed by the next level at the same value, on its own proof: the marginals do not
        change either way, only the number of levels might."""
        targets = getattr(self.oracle, "targets", None)
        if targets is None or self.oracle_proof is None or weights is not self.oracle_proof[0]:
            return False
        goal = targets(free, fixed)
        return goal is not None and all(float(goal[a]) > value + WIDEN_TIGHT for a in free if a not in chosen)

    def tight(self, master: _Master, free: list[int], value: float, lam: np.ndarray | None = None) -> list[int]:
        """The free agents whose chance in the master's current solution (or in the distribution ``lam`` over its
        panels, which must keep every free agent at ``value`` or above and every fixed one at its value: see
        ``_Master.lift``) is within ``WIDEN_TIGHT`` of the level ``value``. Any other free agent ``a`` has slack
        ``s_a = m_a (p_a - value)``, and a dual whose value is within ``WIDEN_SLACK`` of the level's has
        ``Σ y_a s_a <= WIDEN_SLACK`` (complementary slackness with this optimal solution), so
        ``m_a y_a <= WIDEN_SLACK / (p_a - value) < FIX_TOL``: widening cannot fix it. (The bound holds with
        panels added to the small LP too: its value row keeps the level.)"""
        if lam is None:
            lam = np.asarray(master.h.getSolution().col_value, dtype=float)[1:]
        lam = np.clip(lam, 0.0, None)
        chance = _float_marginals([self.columns.panels[j] for j in master.ids], lam, self.n, self.mult)
        return [a for a in free if chance[a] - value <= WIDEN_TIGHT]

    def cheap_panels(self, y: np.ndarray, cap: float, judge: np.ndarray | None = None) -> list[Panel]:
        """Panels the oracle's local search (if any) finds from the known panels of largest ``y(P)`` that
        beat ``cap`` by ``HEURISTIC_MARGIN`` under ``judge`` (default ``y``; sorted members)."""
        if self.improve is None or not self.columns.panels:
            return []
        weight = self.columns.weights(y)
        order = np.argsort(-weight, kind="stable")[:HEURISTIC_STARTS]
        found = [tuple(sorted(p)) for p in self.improve(y, [self.columns.panels[int(r)] for r in order])]
        judge = y if judge is None else judge
        return [p for p in found if float(judge[list(p)].sum()) > cap + HEURISTIC_MARGIN]

    def oracle_bound(self, free: list[int], fixed: dict[int, float]) -> Fraction | None:
        """A bound on the level that the oracle proves by an argument of its own, before any pricing call
        (weak duality with weights of its choosing): an oracle with ``first_level_proof`` hands over the first
        level's proof, one with ``level_proof(free, fixed)`` any level's (``matching.lottery.polytope``: from the
        LP relaxation of the quotas), each as integer weights ``w >= 0`` (one per agent) and a proven ``best >=
        max_P w(P)``; once the known panels reach its bound, ``level`` ends the level on it and the agents it
        weighs are fixed like those of any other proof (complementary slackness). A bound above the level is
        never reached: the level then ends as without it."""
        first = getattr(self.oracle, "first_level_proof", None)
        proof = getattr(self.oracle, "level_proof", None)
        if first is not None and not fixed:
            self.oracle_proof = first(free, lambda: stop_asked(self.cancel))
        else:
            self.oracle_proof = None if proof is None else proof(free, fixed)
        if self.oracle_proof is None:
            return None
        weights, best = self.oracle_proof
        return self.level_bound(weights, best, fixed, free)

    def first_columns(self, fixed: dict[int, float]) -> None:
        """In the first level (nobody ``fixed``), add the oracle's candidate columns for it (``first_level_columns``,
        if it has them) to the LP before its first solve. Only columns: the level still ends on a proof."""
        columns = getattr(self.oracle, "first_level_columns", None)
        if columns is not None and not fixed:
            for panel in columns():
                self.columns.add(tuple(sorted(panel)))

    def oracle_reached(
        self, fixed: dict[int, float], free: list[int], value: float
    ) -> tuple[np.ndarray, float, Fraction] | None:
        """Once the known panels reach the bound of the oracle's proof for the level (``oracle_bound``): the
        proof's weights, the level's value and that bound, as ``level`` returns them; otherwise None."""
        if self.oracle_proof is None:
            return None
        weights, best = self.oracle_proof
        bound = self.level_bound(weights, best, fixed, free)
        return (weights, value, bound) if bound is not None and bound <= value + EPS else None

    def see_bound(self, bound: Fraction | None) -> None:
        """Remember the least proven upper bound on the current level (weak duality holds for any weights)."""
        if bound is not None and (self.level_bound_seen is None or bound < self.level_bound_seen):
            self.level_bound_seen = bound

    def primal(self, agents: list[int], floors: dict[int, float]) -> np.ndarray:
        """A vertex distribution over the known panels maximising t with p_i >= floors_i + t."""
        master = self.sync(agents, {})
        kept = self.kept(master, floors)
        if kept is not None:
            return kept
        master.release(floors)
        master.points = False
        if not master.vertex and master.h.getNumRow() > FIRST_ORDER_ROWS:
            master.settle()
        _, lam, _ = master.solve()
        self.lp_solves += 1
        weights = np.zeros(len(self.columns.panels))
        weights[master.ids] = np.clip(lam, 0.0, None)
        return weights

    def kept(self, master: _Master, floors: dict[int, float]) -> np.ndarray | None:
        """The last level's own vertex as the final distribution, when it came from ``settle_level`` and no seat is
        left once every agent has its floor (``k = Σ m_a floor_a`` within ``LP_TOL``): the final LP's ``t`` is then
        at most 0, and that vertex, which meets every floor, is optimal for it. Warm primal simplex on the final LP from
        that vertex pivots through its degenerate optimal face (2,000 distinct nominees: not ended after 180 s of CPU,
        nor from ``settle``'s vertex after 265 s). None otherwise (the final LP is solved as always)."""
        if not master.settled or not master.vertex:
            return None
        total = float(sum(self.mult[a] for a in floors))
        left = self.k - sum(float(f) * float(self.mult[a]) for a, f in floors.items())
        if left > LP_TOL * total:
            return None
        lam = np.clip(np.asarray(master.h.getSolution().col_value, dtype=float)[1:], 0.0, None)
        chance = _float_marginals([self.columns.panels[j] for j in master.ids], lam, self.n, self.mult)
        if any(chance[a] < f - LP_TOL for a, f in floors.items()):
            return None
        weights = np.zeros(len(self.columns.panels))
        weights[master.ids] = lam
        return weights

    # -- certificates and the exact result ------------------------------------------------------

    def finish(
        self,
        method: str,
        weights: np.ndarray,
        covered: list[int],
        levels: Sequence[Level] = (),
        upper_bound: Fraction | None = None,
        nash_gap: float | None = None,
        floors: dict[int, float] | None = None,
    ) -> Lottery:
        support = [(self.columns.panels[r], float(w)) for r, w in enumerate(weights) if w > 1e-12]
        support.sort()
        panels = tuple(p for p, _ in support)
        mult = [int(m) for m in self.mult]
        polished = _exact_vertex(panels, [w for _, w in support], self.n, floors, mult) if floors else None
        probs = polished or _rational_distribution(panels, [w for _, w in support], self.n, covered, mult)
        keep = [j for j, prob in enumerate(probs) if prob > 0]
        panels, probs = tuple(panels[j] for j in keep), [probs[j] for j in keep]
        marginals = _marginals(panels, probs, self.n, mult)
        total = sum(probs, Fraction(0))
        if total != 1 or sum((p * m for p, m in zip(marginals, mult, strict=True)), Fraction(0)) != self.k:
            raise LotteryError("the distribution does not sum to 1 (internal error)")
        for panel in panels:
            problems = self.oracle.problems(panel)
            if problems:
                raise LotteryError(f"a panel in the support is not feasible: {'; '.join(problems)}")
        covered_set = frozenset(covered)
        minimum = min((marginals[a] for a in covered), default=Fraction(0))
        return Lottery(
            method=method,
            n=self.n,
            size=self.k,
            panels=panels,
            probabilities=tuple(probs),
            marginals=tuple(marginals),
            covered=covered_set,
            minimum=minimum,
            upper_bound=upper_bound,
            levels=tuple(levels),
            proven=self.proven,
            nash_gap=nash_gap,
            stats=Stats(
                self.lp_solves, self.pricing_calls, len(self.columns.panels), time.perf_counter() - self.started
            ),
            multiplicity=() if all(m == 1 for m in mult) else tuple(mult),
        )

    def stamp(self, result: Lottery) -> Lottery:
        """The result with the final proof flag and counters (after any extra pricing calls)."""
        stats = Stats(self.lp_solves, self.pricing_calls, len(self.columns.panels), time.perf_counter() - self.started)
        return replace(result, proven=self.proven, stats=stats, stopped=self.stopped)


def _widest_dual(
    agents: Sequence[int],
    n: int,
    mult: np.ndarray,
    fixed: dict[int, float],
    value: float,
    panels: Sequence[Panel],
) -> np.ndarray | None:
    """A dual of the level's LP over ``panels`` with value at most ``value`` (plus ``WIDEN_SLACK``), scaled
    so that ``Σ_free m_i y_i = 1``, maximising ``Σ_free min(m_i y_i, WIDEN_TARGET)``: the free agents it
    weighs at ``WIDEN_TARGET`` or more are as many as this LP's relaxation can make them. Variables (scaled by
    ``1 / WIDEN_TARGET`` so that they are about 1): ``Y`` per agent, ``μ`` (the panel cap), ``t`` per free
    agent in [0, 1]; rows: ``μ >= Y(P)`` per panel, ``Σ_free m Y = 1 / WIDEN_TARGET``, ``μ - Σ_fixed m f Y <=
    (value + WIDEN_SLACK) / WIDEN_TARGET``, ``t_i <= m_i Y_i``. None when HiGHS does not end optimal, as when
    it reaches its iteration limit (``WIDEN_ITERATIONS``, per row and column: after the first level of 2,000
    distinct nominees it took 10,583 iterations, 71 s of CPU, and fixed nobody more). Deterministic: serial
    simplex, fixed seed, an iteration limit."""
    agents = list(agents)
    column = {a: c for c, a in enumerate(agents)}
    free = [a for a in agents if a not in fixed]
    width, mu = len(agents), len(agents)
    scale = 1.0 / WIDEN_TARGET
    inf = highspy.kHighsInf
    h = _new_highs()
    for name, option in (
        ("solver", "simplex"),
        ("random_seed", 0),
        ("primal_feasibility_tolerance", LP_TOL),
        ("dual_feasibility_tolerance", LP_TOL),
    ):
        h.setOptionValue(name, option)
    count = width + 1 + len(free)
    cost = np.zeros(count)
    cost[width + 1 :] = -1.0
    lower = np.zeros(count)
    lower[mu] = -inf
    upper = np.full(count, inf)
    upper[width + 1 :] = 1.0
    h.addVars(count, lower, upper)
    h.changeColsCost(count, np.arange(count, dtype=np.int32), cost)
    starts: list[int] = []
    index: list[int] = []
    values: list[float] = []
    row_lower: list[float] = []
    row_upper: list[float] = []

    def row(entries: dict[int, float], low: float, high: float) -> None:
        starts.append(len(index))
        index.extend(entries)
        values.extend(entries.values())
        row_lower.append(low)
        row_upper.append(high)

    for panel in panels:
        entries: dict[int, float] = {mu: 1.0}
        for a in panel:
            c = column.get(a)
            if c is not None:
                entries[c] = entries.get(c, 0.0) - 1.0
        row(entries, 0.0, inf)
    row({column[a]: float(mult[a]) for a in free}, scale, scale)
    held = {mu: 1.0}
    for a, f in fixed.items():
        if a in column and f * mult[a] != 0:
            held[column[a]] = -float(mult[a]) * f
    row(held, -inf, (value + WIDEN_SLACK) * scale)
    for i, a in enumerate(free):
        row({width + 1 + i: 1.0, column[a]: -float(mult[a])}, -inf, 0.0)
    h.addRows(
        len(row_lower),
        np.asarray(row_lower),
        np.asarray(row_upper),
        len(index),
        np.asarray(starts, dtype=np.int32),
        np.asarray(index, dtype=np.int32),
        np.asarray(values),
    )
    h.setOptionValue("simplex_iteration_limit", _widen_iterations(h))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    solution = np.asarray(h.getSolution().col_value, dtype=float)
    y = np.zeros(n)
    y[agents] = np.clip(solution[:width], 0.0, None) / scale
    return y


def _multiplicity(oracle: PricingOracle) -> np.ndarray:
    """People per agent: the oracle's ``multiplicity`` if it has one, else 1 each."""
    given = getattr(oracle, "multiplicity", None)
    mult = np.ones(oracle.n, dtype=np.int64) if given is None else np.asarray(given, dtype=np.int64)
    if mult.shape != (oracle.n,) or (mult < 1).any():
        raise ArgumentError("multiplicity must give a positive count for every agent")
    return mult


def _marginals(panels: Sequence[Panel], probs: Sequence[Fraction], n: int, mult: Sequence[int]) -> list[Fraction]:
    """Exact selection probabilities per person (an agent's seats over its multiplicity), with a common denominator."""
    denominator = math.lcm(*(p.denominator for p in probs)) if probs else 1
    counts = [0] * n
    for panel, prob in zip(panels, probs, strict=True):
        share = prob.numerator * (denominator // prob.denominator)
        for a in panel:
            counts[a] += share
    return [Fraction(c, denominator * int(m)) for c, m in zip(counts, mult, strict=True)]


def _float_marginals(
    panels: Sequence[Panel], weights: Sequence[float] | np.ndarray, n: int, mult: Sequence[int] | np.ndarray
) -> np.ndarray:
    """Selection probabilities per person in floating point (an agent may hold several seats of a panel)."""
    seats = np.fromiter((a for panel in panels for a in panel), dtype=np.int64)
    shares = np.repeat(np.asarray(weights, dtype=float), [len(panel) for panel in panels])
    return np.asarray(np.bincount(seats, weights=shares, minlength=n) / np.asarray(mult, dtype=float))


def _simple_fraction(value: float) -> Fraction | None:
    """The fraction with the smallest denominator (up to 10**5) that ``value`` is unmistakably close to."""
    for limit in (100, 1_000, 10_000, 100_000):
        rational = Fraction(value).limit_denominator(limit)
        if abs(float(rational) - value) <= min(1e-9, 0.01 / limit**2):
            return rational
    return None


@dataclass(frozen=True)
class _IntegerSystem:
    """A sparse system scaled to integers: each row by its denominators, then the right-hand side
    by ``common``, so that its solution is the original one times ``common``."""

    rows: list[dict[int, int]]
    rhs: list[int]
    common: int

    @classmethod
    def of(cls, rows: list[dict[int, Fraction]], rhs: list[Fraction]) -> _IntegerSystem:
        """The system ``rows`` (column -> coefficient) = ``rhs``, scaled."""
        int_rows: list[dict[int, int]] = []
        scaled_rhs: list[Fraction] = []
        for row, b in zip(rows, rhs, strict=True):
            scale = math.lcm(*(v.denominator for v in row.values())) if row else 1
            int_rows.append({c: int(v * scale) for c, v in row.items() if v})
            scaled_rhs.append(b * scale)
        common = math.lcm(*(b.denominator for b in scaled_rhs))
        return cls(int_rows, [int(b * common) for b in scaled_rhs], common)

    def dense(self, columns: int) -> np.ndarray:
        """The coefficients as a dense floating-point matrix."""
        dense = np.zeros((len(self.rows), columns))
        for r, int_row in enumerate(self.rows):
            for c, v in int_row.items():
                dense[r, c] = float(v)
        return dense

    def solution(self, candidate: list[Fraction] | None) -> list[Fraction] | None:
        """The original system's solution, if ``candidate`` meets every scaled row exactly."""
        if candidate is None or not _satisfies(self.rows, self.rhs, candidate):
            return None
        return [v / self.common for v in candidate]


def _independent_rows(dense: np.ndarray, columns: int) -> list[int] | None:
    """``columns`` linearly independent rows, or None when the matrix is not of full column rank.

    First the row pivots of an LU factorisation with partial pivoting (blocked, many times faster than
    QR with column pivoting on the thousands of rows of a large dispute lottery: 29 s for the QR on a
    10,000-mediator roster); when a pivot is too small to trust, QR with column pivoting of the
    transpose, which reveals the rank. Either way the rows only choose the square system the caller
    solves exactly and checks against every row, so the choice never changes the result."""
    if columns and dense.shape[0] >= columns:
        lu, piv, info = linalg.lapack.dgetrf(np.asarray(dense, dtype=float))
        pivots = np.abs(np.diag(lu)[:columns])
        if info >= 0 and pivots.min() > 1e-9 * max(1.0, float(pivots.max())):
            order = np.arange(dense.shape[0])
            for i, j in enumerate(piv.tolist()):
                order[[i, j]] = order[[j, i]]
            return [int(r) for r in order[:columns]]
    _, triangle, order = linalg.qr(dense.T, mode="economic", pivoting=True)
    diagonal = np.abs(np.diag(triangle))
    if diagonal.size < columns or diagonal[-1] <= 1e-9 * max(1.0, float(diagonal[0])):
        return None
    return [int(r) for r in order[:columns]]


@dataclass
class _Refinement:
    """Iterative refinement of a square integer system with floating-point LU factors: the solution
    is ``numerators / 2^bits`` plus an error whose exact, scaled integer residual is ``residual``."""

    lu: tuple[np.ndarray, np.ndarray]
    exact_square: np.ndarray  # the matrix in int64
    row_sum: float  # the largest absolute row sum
    residual: np.ndarray  # Python integers
    numerators: np.ndarray  # Python integers
    bits: int = 0
    gain: int = REFINE_BITS  # bits to gain per step
    previous: int | None = None  # the largest whole step taken last, in units of the then 2^-bits

    @classmethod
    def start(cls, square: np.ndarray, row_sum: float, rhs: list[int]) -> _Refinement:
        """Refinement of ``square @ x = rhs`` from ``x = 0``."""
        return cls(
            lu=linalg.lu_factor(square),
            exact_square=square.astype(np.int64),
            row_sum=row_sum,
            residual=np.array(rhs, dtype=object),
            numerators=np.zeros(len(rhs), dtype=object),
        )

    def largest_residual(self) -> int:
        """The largest absolute residual (0: ``numerators / 2^bits`` is exact)."""
        return max(abs(int(v)) for v in self.residual)

    def step(self) -> bool:
        """Gain about ``gain`` bits: solve for the residual in floating point, round the step to whole
        units of ``2^-bits`` and update the residual exactly.

        Progress is judged by the error that is left, not by the residual: the float solve for the
        residual measures the remaining error in the units of the last step, so the last step gained
        ``log2(previous / size)`` bits. The residual itself is only the rounding noise of the last step
        times the matrix (a few units, jumping up and down from step to step however well the
        refinement converges), so it must not be read as a trend. Fewer than 8 bits gained means the
        float solve is not accurate to ``gain`` bits: gain fewer per step; False when even 8 bits a
        step are out of reach."""
        step = linalg.lu_solve(self.lu, np.array([float(v) for v in self.residual]))
        size = float(np.abs(step).max())
        if self.previous is not None and size * 2.0**8 > self.previous:
            self.gain -= 8
            if self.gain < 8:
                return False
        shift = max(1, self.gain - max(0, math.ceil(math.log2(size + 1.0))))
        if size * 2.0**shift >= 2.0**62:
            return False  # a step this large would overflow int64
        ints = np.rint(step * 2.0**shift).astype(np.int64)
        largest = int(np.abs(ints).max())
        self.previous = largest
        exact = self.exact_square
        product = exact @ ints if self.row_sum * largest < 2.0**62 else exact.astype(object) @ ints.astype(object)
        self.residual = self.residual * (1 << shift) - np.asarray(product).astype(object)
        self.numerators = self.numerators * (1 << shift) + ints.astype(object)
        self.bits += shift
        return True


def _solve_exactly(rows: list[dict[int, Fraction]], rhs: list[Fraction], columns: int) -> list[Fraction] | None:
    """The unique solution of a consistent, full-column-rank sparse system, in exact arithmetic.

    Rows are scaled to integers. Floating point picks ``columns`` independent rows
    (``_independent_rows``) and solves that square system by iterative refinement: each step solves
    for the exact integer residual with the same LU factors and gains up to ``REFINE_BITS`` bits, so
    ``x ≈ N / 2^s`` with the error shrinking geometrically. At every step from ``REFINE_FIRST_TRY``
    bits on, each component is read as the simplest fraction near ``N_j / 2^s`` (continued
    fractions, with a common denominator), and the candidate is accepted only if it satisfies
    *every* row exactly. This costs a few dense LU
    solves instead of a Gaussian elimination in ``Fraction`` with its fill-in. None when the
    system is not of full column rank, is inconsistent, or no candidate passes within
    ``REFINE_MAX_BITS`` bits (beyond twice the Hadamard bound on the determinant's size).
    """
    if columns == 0:
        return [] if all(r == 0 for r in rhs) else None
    if len(rows) < columns:
        return None
    system = _IntegerSystem.of(rows, rhs)  # solve for x * common: an integer right-hand side
    dense = system.dense(columns)
    chosen = _independent_rows(dense, columns)
    if chosen is None:
        return None
    square = dense[chosen]
    row_sum = float(np.abs(square).sum(axis=1).max())
    if row_sum >= 2.0**20:
        return None  # the integer residuals below must stay exact in int64
    refinement = _Refinement.start(square, row_sum, [system.rhs[r] for r in chosen])
    norms = np.sqrt((square**2).sum(axis=0))
    limit = min(REFINE_MAX_BITS, 2 * int(np.log2(norms).sum()) + 128)
    return _refine_to_solution(system, refinement, limit)


def _refine_to_solution(system: _IntegerSystem, refinement: _Refinement, limit: int) -> list[Fraction] | None:
    """Refine up to ``limit`` bits, trying the rational reconstruction at every step from
    ``REFINE_FIRST_TRY`` bits on; the first candidate that solves the whole ``system``, if any."""
    while refinement.bits <= limit:
        if refinement.largest_residual() == 0:
            break
        if not refinement.step():
            return None
        if refinement.bits >= REFINE_FIRST_TRY:
            found = system.solution(_reconstruct(refinement.numerators, refinement.bits))
            if found is not None:
                return found
    if refinement.bits <= limit and all(v == 0 for v in refinement.residual):
        return system.solution([Fraction(int(v), 1 << refinement.bits) for v in refinement.numerators])
    return None


def _reconstruct(numerators: np.ndarray, bits: int) -> list[Fraction] | None:
    """The simplest fractions near ``numerators / 2^bits``, sharing a denominator below ``2^(bits/2 - 16)``.

    Each value is read as the closest fraction whose denominator (times the common one so far) is below
    ``2^(bits/2 - 8)``; a common denominator in the top 8 of those bits means the values are not yet
    accurate enough (an unconverged value's closest fraction almost always uses the whole bound), so
    the caller refines further instead of checking a candidate that would fail. Values that are already
    within half a square bound of a multiple of the common denominator need no continued fraction
    (integer test; ``limit_denominator`` would return the multiple)."""
    one = 1 << bits
    search = 1 << max(1, bits // 2 - 8)
    accept = search >> 8
    denominator = 1
    for value in sorted((int(v) for v in numerators), key=abs, reverse=True):
        scaled = value * denominator
        bound = max(1, search // denominator)
        distance = abs(scaled - ((scaled + (one >> 1)) >> bits << bits))
        if 2 * distance * bound * bound < one:
            continue
        denominator *= Fraction(scaled, one).limit_denominator(bound).denominator
        if denominator > accept:
            return None
    return [Fraction((int(v) * denominator + (one >> 1)) >> bits, denominator) for v in numerators]


def _satisfies(rows: list[dict[int, int]], rhs: list[int], solution: list[Fraction]) -> bool:
    """Whether ``solution`` meets every (integer) row exactly."""
    denominator = math.lcm(*(v.denominator for v in solution)) if solution else 1
    scaled = [v.numerator * (denominator // v.denominator) for v in solution]
    return all(sum(c * scaled[j] for j, c in row.items()) == b * denominator for row, b in zip(rows, rhs, strict=True))


def _exact_vertex(
    panels: Sequence[Panel], weights: Sequence[float], n: int, floors: dict[int, float], mult: Sequence[int]
) -> list[Fraction] | None:
    """The exact distribution behind the final LP's vertex.

    Levels that are simple fractions are snapped to them; the others become unknowns. The
    vertex is then solved again, in exact arithmetic, from the agents that are tight at it (and
    probabilities summing to 1); the result is checked exactly: probabilities >= 0, every agent
    at or above their level, each unknown level within 1e-8 of the LP's. None when any step fails
    or the support is larger than EXACT_SUPPORT (the caller then rationalises the LP's values).
    """
    if not panels or len(panels) > EXACT_SUPPORT:
        return None
    values = sorted(set(floors.values()))
    snapped = {v: _simple_fraction(v) for v in values}
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    marg = _float_marginals(panels, list(w), n, mult)
    tight = [a for a, f in floors.items() if abs(marg[a] - f) <= 1e-8]
    solution = None
    for _ in range(len(values) + 1):
        unknown = {v: len(panels) + j for j, v in enumerate(v for v in values if snapped[v] is None)}
        rows, rhs = _tight_system(panels, tight, floors, snapped, unknown, mult)
        solution = _solve_exactly(rows, rhs, len(panels) + len(unknown))
        if solution is not None:
            break
        free = _free_level(rows, rhs, len(panels), unknown)
        if free is None:
            return None
        # The support leaves this level free to move along a line: pin it to the simplest nearby fraction.
        snapped[free] = Fraction(free).limit_denominator(FREE_LEVEL_DENOMINATOR)
    if solution is None:
        return None
    probs = solution[: len(panels)]
    level_value: dict[float, Fraction] = {}
    for v in values:
        known = snapped[v]
        level_value[v] = solution[unknown[v]] if known is None else known
    if any(p < 0 for p in probs) or sum(probs, Fraction(0)) != 1:
        return None
    if any(abs(float(level_value[v]) - v) > 1e-8 for v in values):
        return None
    exact = _marginals(panels, probs, n, mult)
    if any(exact[a] < level_value[f] for a, f in floors.items()):
        return None
    return probs


def _tight_system(
    panels: Sequence[Panel],
    tight: Sequence[int],
    floors: dict[int, float],
    snapped: dict[float, Fraction | None],
    unknown: dict[float, int],
    mult: Sequence[int],
) -> tuple[list[dict[int, Fraction]], list[Fraction]]:
    """The rows of the agents tight at their level (seats over multiplicity = level, an unknown column for a
    level not known as a fraction) and the row of probabilities summing to 1."""
    rows_of: dict[int, dict[int, Fraction]] = {a: {} for a in tight}
    for j, panel in enumerate(panels):
        for a in panel:
            if a in rows_of:
                rows_of[a][j] = rows_of[a].get(j, Fraction(0)) + Fraction(1, int(mult[a]))
    rhs = []
    for a in tight:
        level = floors[a]
        if level in unknown:
            rows_of[a][unknown[level]] = Fraction(-1)
            rhs.append(Fraction(0))
        else:
            rhs.append(snapped[level] or Fraction(0))
    rows = [rows_of[a] for a in tight] + [{j: Fraction(1) for j in range(len(panels))}]
    return rows, [*rhs, Fraction(1)]


def _free_level(
    rows: list[dict[int, Fraction]], rhs: list[Fraction], count: int, unknown: dict[float, int]
) -> float | None:
    """The unknown level most involved in a direction the tight system leaves free (a rank deficiency),
    or None when the system has full column rank or no unknown level moves along the free direction."""
    if not unknown:
        return None
    dense = _IntegerSystem.of(rows, rhs).dense(count + len(unknown))
    _, singular, vt = linalg.svd(dense, full_matrices=True)
    if len(singular) >= dense.shape[1] and singular[-1] > 1e-9 * max(1.0, float(singular[0])):
        return None
    direction = vt[-1]
    level, column = max(unknown.items(), key=lambda item: abs(direction[item[1]]))
    return level if abs(direction[column]) > 1e-6 else None


def _rational_distribution(
    panels: Sequence[Panel], weights: Sequence[float], n: int, covered: Sequence[int], mult: Sequence[int]
) -> list[Fraction]:
    """Exact probabilities summing to 1 that reproduce the LP's distribution (see the module docstring).

    Candidates are the shortest fractions near each LP value (denominators up to each of
    ``RATIONAL_DENOMINATORS``) that keep every marginal within ``RATIONAL_TOL`` of the LP's, and
    the LP's own binary values; the candidate with the largest exact minimum over the covered
    agents wins (the smallest denominators on ties), so a distribution that the LP only
    approximates, such as one giving everybody exactly 1/11, is recovered exactly.
    """
    if not panels:
        return []
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    target = _float_marginals(panels, list(w), n, mult)
    largest = int(np.argmax(w))
    exact = [Fraction(float(v)) for v in w]
    total = sum(exact, Fraction(0))
    best = [e / total for e in exact]
    wanted = set(covered)
    best_min = min((m for j, m in enumerate(_marginals(panels, best, n, mult)) if j in wanted), default=Fraction(0))
    for limit in RATIONAL_DENOMINATORS:
        rational = [Fraction(float(v)).limit_denominator(limit) for v in w]
        if any(abs(float(r) - v) > RATIONAL_TOL for r, v in zip(rational, w, strict=True)):
            continue
        rational[largest] = 1 - sum((r for j, r in enumerate(rational) if j != largest), Fraction(0))
        if rational[largest] < 0:
            continue
        approx = _float_marginals(panels, [float(r) for r in rational], n, mult)
        if np.abs(approx - target).max() > RATIONAL_TOL:
            continue
        lowest = min(
            (m for j, m in enumerate(_marginals(panels, rational, n, mult)) if j in wanted), default=Fraction(0)
        )
        if lowest > best_min:
            best, best_min = rational, lowest
    return best


# --- the three objectives ----------------------------------------------------------------------------


def leximin(
    oracle: PricingOracle,
    *,
    levels: bool = True,
    progress: ProgressFactory | None = None,
    budget: Budget | None = None,
    cancel: CancelToken | None = None,
) -> Lottery:
    """The leximin distribution (``levels=False`` stops after the first level: maximin).

    ``progress`` counts the agents whose chance is fixed (all of them at once for maximin). When
    ``budget`` runs out or ``cancel`` asks to stop, the result is the best distribution so far: the
    levels fixed keep their values, every other agent gets at least the level the known panels reach
    (``Lottery.stopped`` says why, ``proven`` is false, ``upper_bound`` is the least proven bound on
    the least chance, if any).
    """
    engine = _Engine(oracle, budget, cancel)
    covered = engine.cover()
    engine.spread(covered)
    fixed: dict[int, float] = {}
    found: list[Level] = []
    with (progress or silent_progress)(len(covered), "Fixing each chance") as advance:
        first_bound, reached = _fix_levels(engine, covered, fixed, found, levels, advance)
    floors = dict(fixed)
    for a in covered:  # only when stopped: the free agents keep what the known panels reach
        floors.setdefault(a, reached)
    weights = engine.primal(covered, floors)
    result = engine.finish("leximin" if levels else "maximin", weights, covered, found, floors=floors)
    return engine.stamp(replace(result, upper_bound=first_bound))


def _fix_levels(
    engine: _Engine, covered: list[int], fixed: dict[int, float], found: list[Level], levels: bool, advance: Advance
) -> tuple[Fraction | None, float]:
    """Raise the least chance level by level, fixing the agents whose chance cannot rise further;
    returns the first level's upper bound and, if the run stopped, the level the known panels reach
    for the agents not fixed (0 otherwise)."""
    first_bound: Fraction | None = None
    while len(fixed) < len(covered):
        engine.spread_level(covered, fixed)
        weights, value, bound = engine.level(covered, fixed)
        if not found:
            first_bound = bound
        if weights is None:  # stopped: the free agents are not fixed
            return first_bound, min(1.0, max(0.0, value))
        free = [a for a in covered if a not in fixed]
        chosen = _heavy(weights, engine.mult, free)
        if not levels:
            chosen = free
        elif (
            bound is not None and bound <= value + EPS and len(chosen) < len(free) and WIDEN_ROUNDS and engine.widening
        ):
            wide, _ = engine.widen(covered, fixed, value, weights)
            if wide is not weights:  # proven within EPS too: each agent's fixing rests on one of the two proofs
                more = set(_heavy(wide, engine.mult, free, fallback=False))
                chosen = [a for a in free if a in more or a in set(chosen)]
        for a in chosen:
            fixed[a] = min(1.0, max(0.0, value))
        gap = math.inf if bound is None else max(0.0, float(bound) - value)
        found.append(Level(value, tuple(chosen), gap))
        advance(len(chosen))
    return first_bound, 0.0


def _heavy(weights: np.ndarray, mult: np.ndarray, free: list[int], fallback: bool = True) -> list[int]:
    """The free agents whose normalised proof weight is at least ``FIX_TOL`` (with ``fallback``, the heaviest
    one when there are none)."""
    share = weights * mult  # a class's dual weight: its people's weight times their number
    total = max(1, int(share[free].sum()))
    chosen = [a for a in free if share[a] >= FIX_TOL * total]
    if not chosen and fallback:
        chosen = [max(free, key=lambda a: (share[a], -a))]
    return chosen


def maximin(oracle: PricingOracle) -> Lottery:
    """The distribution maximising the smallest selection probability (one LP vertex among the optima)."""
    return leximin(oracle, levels=False)


def nash(
    oracle: PricingOracle,
    *,
    tolerance: float = NASH_TOL,
    inner: int = 5_000,
    budget: Budget | None = None,
    cancel: CancelToken | None = None,
) -> Lottery:
    """The distribution maximising the sum of the logarithms of the selection probabilities (stopped
    early, the best distribution over the panels known so far, with its Frank-Wolfe gap)."""
    engine = _Engine(oracle, budget, cancel)
    covered = engine.cover()
    people = engine.mult[covered].astype(float)
    m = float(people.sum())
    lam = np.full(len(engine.columns.panels), 1.0 / len(engine.columns.panels))
    gap = math.inf
    for _ in range(MAX_COLUMN_ROUNDS):
        incidence = engine.columns.matrix(covered).tocsr()
        lam = _em(incidence, people, lam, tolerance / 2, inner)
        if engine.halted():
            break
        p = incidence.T @ lam / people
        y = np.zeros(engine.n)
        y[covered] = 1.0 / p
        weights, scale = engine.scaled(y, NASH_BITS)
        answer = engine.price(weights)
        if answer.panel is None:
            engine.proven = False
            break
        top = answer.value / scale + engine.k / (2 * scale)
        gap = max(0.0, top - m)
        if gap <= tolerance * m:
            if not answer.proven:
                engine.proven = False
            break
        if not engine.columns.add(answer.panel):
            if not answer.proven:
                engine.proven = False
            break
        share = 1.0 / len(engine.columns.panels)
        lam = np.concatenate([lam * (1 - share), [share]])
    else:
        raise LotteryError(f"Nash welfare did not converge in {MAX_COLUMN_ROUNDS} rounds")
    return engine.stamp(engine.finish("nash", lam, covered, nash_gap=gap))


def _em(
    incidence: sparse.csr_matrix, people: np.ndarray, lam: np.ndarray, tolerance: float, iterations: int
) -> np.ndarray:
    """Multiplicative updates λ_P <- λ_P Σ_{i∈P} (1/p_i) / m on the known panels (monotone in Σ m_i log p_i).

    ``incidence`` counts each agent's seats per panel, ``people`` is each agent's multiplicity and
    ``m`` their total, so that the updates keep Σ λ = 1."""
    m = float(people.sum())
    for _ in range(iterations):
        p = incidence.T @ lam / people
        gradient = incidence @ (1.0 / p)
        if gradient.max() <= m * (1 + tolerance):
            break
        lam = lam * gradient / m
        lam = lam / lam.sum()
    return lam


def solve(
    oracle: PricingOracle,
    method: str = "leximin",
    progress: ProgressFactory | None = None,
    budget: Budget | None = None,
    cancel: CancelToken | None = None,
) -> Lottery:
    """Run one of ``METHODS`` (``progress`` is reported by leximin and maximin) within ``budget``,
    stopping early when ``cancel`` asks to."""
    if method == "leximin":
        return leximin(oracle, progress=progress, budget=budget, cancel=cancel)
    if method == "maximin":
        return leximin(oracle, levels=False, progress=progress, budget=budget, cancel=cancel)
    if method == "nash":
        return nash(oracle, budget=budget, cancel=cancel)
    raise ArgumentError(f"unknown method {method!r}; one of {', '.join(METHODS)}")


# --- tickets: rounding to M equally likely panels, and the draw -----------------------------------


@dataclass(frozen=True)
class Tickets:
    """M equally likely tickets: panel ``panels[j]`` holds ``counts[j]`` consecutive tickets."""

    panels: tuple[Panel, ...]  # the lottery's support, canonical order
    counts: tuple[int, ...]  # sum M
    marginals: tuple[Fraction, ...]  # each agent's share of the tickets
    bound: Fraction  # k / M: every |share - probability| stays below it

    @property
    def m(self) -> int:
        return sum(self.counts)

    def first_ticket(self, j: int) -> int:
        return sum(self.counts[:j])

    def panel_of(self, ticket: int) -> int:
        """Index into ``panels`` of the panel holding ``ticket`` (0-based)."""
        if not 0 <= ticket < self.m:
            raise ArgumentError(f"ticket {ticket} is not between 0 and {self.m - 1}")
        edge = 0
        for j, c in enumerate(self.counts):
            edge += c
            if ticket < edge:
                return j
        raise InternalError("a ticket fell outside every panel")

    def deviations(self, probabilities: Sequence[Fraction]) -> list[Fraction]:
        return [abs(s - p) for s, p in zip(self.marginals, probabilities, strict=True)]


def round_to_tickets(lottery: Lottery, m: int, seed: int = ROUNDING_SEED) -> Tickets:
    """Round the lottery to ``m`` equally likely tickets (pipage rounding; see the module docstring)."""
    if m < 1:
        raise ArgumentError("the number of tickets must be at least 1")
    if lottery.multiplicity:
        raise ArgumentError("tickets need a lottery over panels of distinct people, not over classes of people")
    panels = lottery.panels
    k = lottery.size
    scaled = [prob * m for prob in lottery.probabilities]
    base = [math.floor(x) for x in scaled]
    fraction = np.array([float(x - b) for x, b in zip(scaled, base, strict=True)])
    rng = np.random.default_rng(seed)
    members = [list(p) for p in panels]
    fraction = _pipage(fraction, members, k, rng)
    counts = [b + round(float(f)) for b, f in zip(base, fraction, strict=True)]
    if sum(counts) != m:
        raise LotteryError("ticket rounding lost the total (internal error)")
    shares = [0] * lottery.n
    for panel, c in zip(panels, counts, strict=True):
        for a in panel:
            shares[a] += c
    return Tickets(
        panels=panels,
        counts=tuple(counts),
        marginals=tuple(Fraction(s, m) for s in shares),
        bound=Fraction(k, m),
    )


SNAP = 1e-9


def _pipage(f: np.ndarray, members: list[list[int]], k: int, rng: np.random.Generator) -> np.ndarray:
    """Dependent rounding of ``f`` in [0, 1] to 0/1 keeping the sum and the sums of agents on > k fractional panels."""
    f = f.copy()
    f[f < SNAP] = 0.0
    f[f > 1 - SNAP] = 1.0
    for _ in range(10 * len(f) + 100):
        frac = np.flatnonzero((f > 0) & (f < 1))
        if len(frac) == 0:
            return f
        if len(frac) == 1:  # the sum is an integer, so a lone fraction is numerical noise
            f[frac[0]] = float(round(f[frac[0]]))
            continue
        on: dict[int, list[int]] = {}
        for col, j in enumerate(frac):
            for a in members[j]:
                on.setdefault(a, []).append(col)
        rows = [cols for cols in on.values() if len(cols) > k and len(cols) < len(frac)]
        a_eq = np.zeros((1 + len(rows), len(frac)))
        a_eq[0, :] = 1.0
        for r, cols in enumerate(rows, start=1):
            a_eq[r, cols] = 1.0
        current = f[frac]
        b_eq = a_eq @ current
        # Prefer the vertex that agrees with the current values, so that it is usually taken.
        c = (0.5 - current) + 1e-3 * rng.standard_normal(len(frac))
        res = linprog(
            c,
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=[(0.0, 1.0)] * len(frac),
            method="highs-ds",
            options={"primal_feasibility_tolerance": LP_TOL, "dual_feasibility_tolerance": LP_TOL},
        )
        if res.status != 0:
            raise LotteryError(f"ticket rounding LP failed: {res.message}")
        vertex = np.clip(np.asarray(res.x), 0.0, 1.0)
        vertex[vertex < SNAP] = 0.0
        vertex[vertex > 1 - SNAP] = 1.0
        d = vertex - current
        moving = np.abs(d) > 1e-12
        if not moving.any():
            raise LotteryError("ticket rounding is stuck (internal error)")
        back = np.where(d[moving] > 0, current[moving] / d[moving], (1 - current[moving]) / -d[moving])
        step_back = float(back.min())
        if rng.random() < step_back / (1 + step_back):
            new = vertex
        else:
            new = current - step_back * d
        new[new < SNAP] = 0.0
        new[new > 1 - SNAP] = 1.0
        f[frac] = new
    raise LotteryError("ticket rounding did not finish (internal error)")


def draw_ticket(m: int, seed: int) -> int:
    """The public draw: ticket ``numpy.random.default_rng(seed).integers(0, m)`` (0-based)."""
    return int(np.random.default_rng(seed).integers(0, m))


DRAW_RULE = (
    "Tickets are numbered from 0 to M-1 along the panels in canonical order (members' ids sorted, panels "
    "sorted by those lists), each panel holding as many consecutive tickets as its count; the drawn ticket is "
    "numpy.random.default_rng(seed).integers(0, M) (numpy's PCG64 generator)."
)
