"""The panel lottery for one dispute: a fair, verifiable draw among all acceptable panels.

A deterministic optimum is predictable, so it can be lobbied for, and the same few mediators
win every close call. The lottery instead gives every acceptable panel a probability:

* **acceptable** panels keep every hard rule and score at least
  ``optimum - (1 - floor) * |optimum|`` on the solver's integer objective (``floor`` 0.95 by
  default; 1 keeps only the optimal panels, among which the lottery then spreads the chances);
* the distribution is **leximin** over the eligible mediators (those who pass the individual
  rules for the dispute): the smallest selection probability as large as possible, then the
  next, and so on (``matching.lottery.engine``); eligible mediators in no acceptable panel get 0;
* it is rounded to M equally likely **tickets** (1,000 by default), listed in canonical order,
  and a seeded draw picks one: ``numpy.random.default_rng(seed).integers(0, M)`` (see
  ``matching.lottery.engine.DRAW_RULE``). The ticket list depends on the inputs only, so it can be
  published before the seed is chosen (for example from a public dice roll), and anyone
  re-running with the same inputs and seed gets the same panel.

The registrar's **locks** (``matching.panel.model.Locks``) narrow the lottery to the panels that keep
them: the optimum behind the floor is the optimum under the locks (``solve_instance`` with the
same locks, as a locked solver run), the pricing model carries the same locks, excluded mediators
stay listed with probability 0, and a locked-in mediator (or locked chair) sits on every panel, so
their probability is 1. Locks that leave no panel give the ``infeasible`` status, as for a dispute
without any panel. The locks that applied are written into ``DisputeLottery.as_dict``.

The pricing oracle works over the mediators whose upper bound (``matching.panel.model.upper_bounds``)
reaches the floor (locked-in mediators are always kept, excluded ones never); past ``TIGHT_BOUNDS_FROM``
mediators that pool is narrowed again by ``panel_bounds``, a dynamic programme over the mediators' profiles
whose bound is exact on diversity, chair bonus, neutrality balance, H5's minimums and the lean cap (on the
10,000-mediator demo roster it keeps 3,331 of 8,696 mediators on D002, 3,322 of them in some acceptable
panel). It first **enumerates
the acceptable panels** (``acceptable_panels``): a branch and bound over the pool sorted by the
separable part of the objective, pruning every partial panel that cannot reach the floor even with
the best values for its open seats and an upper bound on the panel-level terms (chair bonus,
diversity, neutrality balance, worst-off party's preference; what the members after the last one
can still add), the last seat going only to those who bring a missing chair or working language,
a second bound that couples the neutrality balance with the members' values (``_Partial.coupled``:
without it the best values and a perfect balance may come from different members, a slack that grows
with the neutrality weight), and the last seat filled class by class of the members' alignment with
the parties, where the balance is exact, then scoring the survivors exactly
with the batch's scorer (``matching.rules.kernel.score_panels``: every hard rule, best chair) and
keeping those that keep the locks and reach the floor with their chair (the locked chair when there
is one: the set the CP-SAT model admits, where a panel is acceptable if some allowed chair reaches
the floor). Pricing is then an exact ``argmax`` of ``panels @ weights``, first in canonical order on
ties. The 5-member panels of the demo data pass the floor in tens of thousands but the pool is the
whole roster (``C(544, 5)`` is 4e11); the bounds leave 1.6 million complete candidates on D002
(about a second), after which each pricing call takes milliseconds instead of about 0.6 s of CP-SAT,
and returns the ``ENUMERATED_OTHERS`` next-best panels as further columns (the lottery went from
about 4 minutes to a few seconds; every demo dispute is enumerated). When some depth of the search would
look at more than ``ENUMERATION_CAP`` partial panels (five-member panels from rosters of thousands, whose
acceptable panels run to hundreds of millions), each pricing call runs the same search on the pool sorted
by the call's weights instead (``_SearchPricing``): only panels heavier than the best already known one
are looked at, which most weights (0 for most mediators) keep small, and a candidate goes on only while its
weights and values together can still pass both (``_multipliers``); the known panels start with cheap
**witness** panels (each mediator with the best-valued compatible others, completed greedily by what adds
most to the objective, or in place of a member of the optimum) that cover most of the pool in the first
covering calls. When the positive weights are all equal (the 0/1 weights of the first leximin level) a call
tries greedy panels among the heaviest mediators first (one holding k of them weighs the most possible), and
past ``PRICING_CAP`` (or straight away with many weighted mediators) searches level by level: a panel with
n weighted members has at most k - n of weight 0, so ``panel_bounds`` with that room narrows the pool, and a
level it leaves empty is proven empty (``_SearchPricing._narrowed``). Otherwise (weights of several values, as the
leximin duals soon have) a call is narrowed by **Lagrangian bounds** (``lagrangian_bounds``): ``panel_bounds`` with
each member's value raised by a multiple of their weight bounds, for every mediator, the weight of any acceptable
panel holding them; the search then looks only at the mediators whose bound passes a weight ``a``, from the largest
``a`` down to the best known panel's weight (``_SearchPricing._lagrangian``; a known panel is first improved by
single swaps, ``climb``), and the first ``a`` under which it finds a panel gives the heaviest. The search and
greedy passes are charged to the budget's work like CP-SAT's (``NARROW_WORK``, ``SEARCH_WORK``,
``GREEDY_WORK``; a ``panel_bounds`` pass by the size of its programme, ``programme_cells``, which its CPU follows
across disputes where the head count did not), at about one unit per second of their CPU when set (since 2026-12-07 a
``panel_bounds`` pass, a search and a greedy pass take about 0.6, 0.6 and 0.7 of that CPU for the same units; a ``panel_bounds``
pass, later that day, 0.45 of that again at D002's levels 14 to 24 and 0.24 at its count passes of levels 30 to 35), as CP-SAT's
deterministic seconds are (until 2026-12-06 four to six units: at the default budget D002's first level charged 58 units and its
widening 27, now 19 and 13, and D002 at 10,000 mediators proves 5 levels instead of 1). Weights of small integer units narrow the pool by
counting them (``_SearchPricing._counted``: ``panel_bounds`` with each mediator needing the others' units to pass the
heaviest known panel), larger ones scaled and rounded up (``_scaled``), then exactly (``_exact``: the later levels'
duals, whose fixed mediators weigh up to a hundred units). A call whose search would still pass
its cap goes to the solver's own CP-SAT panel model (``matching.panel.model.PanelModel``) with the objective floor and the locks added as
constraints; the known panels go along with its answer as further columns. Tests hold the enumeration to that model's panels and to brute force (both ways, with
locks) and the two paths to the same probabilities. Either way every panel in the support is
checked again with the independent checker
``matching.rules.checker.panel_breaches`` (``matching.rules.recheck``: a breach there is a loud
internal error, never a lottery), against the locks one by one, and rescored with
``PanelInstance.evaluate``. Each panel's chair is the locked chair if there is one, otherwise its
best chair (``matching.panel.model.best_chair``).
``dispute_lottery`` returns plain data for the command line and the app.

Past the enumeration cap the oracle can also offer the engine a **local search** (``DisputePanelOracle.improve``,
off unless ``LOCAL_SEARCH``): from a known panel it swaps one member at a time for one of the ``SWAP_CANDIDATES`` mediators of
largest weight, taking the heaviest acceptable result (ties in canonical order), where acceptable is exactly what
the pricing keeps (the kernel's scorer, the floor, the locks). Its panels are only extra columns (before the
first LP and between exact pricing calls): every level still ends on the exact pricing's proof.

Past the enumeration cap the oracle also gives the engine a **first-level bound** of its own, before any pricing
(``DisputePanelOracle.first_level_proof``): weak duality with weight 1 on the weakest mediators that no acceptable
panel holds two of (``weakest_apart``: ``panel_bounds`` of each of them over the panels holding another proves
it, for the largest such share of the pool that ``BOUND_STEPS`` halvings find). Some of them then has a chance of
at most one over their number, in every lottery. At 10,000 mediators, where acceptable panels need several of the
strongest few, this is the tightest bound a stopped lottery reports (measured 2026-12-05: D002 0.000357 against
0.000924 from the pricing answers, D011 0.000639 against 0.00148; least chances reached 0.000307 and 0.000423).
A second tier tightens it (``apart_tiers``, two or three more passes): the others that no acceptable panel seats
beside a mediator of ``W`` (``T``) are weighed too, those of them with no partner in ``T`` joining ``W``, and with
``c`` the most of ``T`` any acceptable panel holds (proven the same way; 2 on the demo disputes) the weights are
``c`` on ``W`` and 1 on ``T``: every panel still weighs at most ``c``, and the bound is ``c / (c |W| + |T|)``
(measured 2026-12-06 at 10,000 mediators: D002 0.000340, D003 0.000613, D011 0.000562, from 0.000357, 0.000661 and
0.000639 with ``W`` alone).
The tier's weights are then packed (``_SearchPricing._packed_tier``): the bounded search with weight 1 on ``T``, above 1,
finds every acceptable panel holding two or more of ``T`` (``PACK_SCAN``), and an LP over them gives ``T`` the largest
weights no such panel (nor one mediator alone) takes past 1, in multiples of ``1 / 2c`` (with ``c`` 2, a graph, the
optimum is half-integral): weight ``2c`` on ``W`` and those weights times ``2c`` on ``T``, every panel weighing at most
``2c``. It is kept when its bound is lower, and its panels join the known ones. Measured 2026-12-06 at 10,000
mediators (benchmarks/bench_dispute_lottery.py, still stopped by the budget): bounds D002 0.000334, D003 0.000604,
D011 0.000554 from 0.000340, 0.000613, 0.000562; least chances 0.000332, 0.000586, 0.000539 from 0.000330, 0.000582,
0.000538, for more CPU (side by side with main at load 6 to 7, machine speed 0.87: D002 25.4 -> 33.9 s, with one
CP-SAT pricing call of about 12 s its later duals led to; D011 26.5 -> 32.8 s, of which about 3 s the packing's search).
On D002 189 of the tier's 269 mediators share no acceptable panel.
The packing also weighs mediators the distinct nationalities rule (H5, which ``panel_bounds`` relaxes) sets apart from
``W`` (``nation_apart``): when the weakest reach the floor only beside the strongest holders of a nationality, no
acceptable panel seats them beside that nationality's other holders, however strong. One ``panel_bounds`` pass per
nationality of the ``NATION_TOP`` strongest mediators, over the pool without those holders and over the panels whose
others hold one of the rest, proves it when it leaves all of ``W`` under the floor; the rest then join ``T`` in the
packing. On D003 at 10,000 mediators (2026-12-07) the weakest need one of the three strongest Swiss nationals (ranks 0,
10 and 29 by ``panel_bounds``), nine of the 21 others lie outside both tiers, and the bound went from 1 / 1,658 to
1 / 1,666 over the pool (the level's value is 1 / 1,667: the LP's duals swap 4 of ``W`` for 5 others, which this does
not find); D002 and D011 gain nothing, for 0.8 and 0.7 s of CPU (D003 0.3 s). Measured with the benchmark (default budget, load 2 to
3, machine speed 1.04), D003's least chance at the budget rose to 0.000600 (bound 0.000601 over the mediators in some
acceptable panel) from 0.000599 (0.000604), with 4 CP-SAT calls instead of 6.
The oracle hands the engine that bound's proof itself (``first_level_proof``: the weights and the most any acceptable
panel weighs under them), so that the first level ends without a pricing call once the known panels reach it, with
the weighted mediators fixed there (any lottery reaching the bound uses only panels of weight ``c``: one of ``W``,
or ``c`` of ``T``). With the proof come candidate columns for it (``_SearchPricing._apart_panels``): for each other
mediator not in ``T``, greedy panels started from them and one of ``W`` (the best-valued ones, and others spread over
all of ``W`` so that different mediators get different partners), and for each mediator of ``T`` greedy panels with
others of ``T`` and none of ``W`` (``_tier_panels``). At 10,000 mediators (2026-12-05) the first of them raised the
least chance a stopped lottery reaches on D003 from 0.000472 to 0.000501 and on D011 from 0.000424 to 0.000447 (D002
0.000308 to 0.000310), with less CPU.
The first level's LP then has equal duals on a set of mediators no known panel holds two of, and sheds one of them
for each panel holding two that pricing hands back; one heaviest panel a call left it shedding a few per round. So a
pricing call with weights of few values (``PAIR_VALUES``) that finds a panel with two weighted members also builds
greedy panels holding two (``_SearchPricing._pair_panels``: each weighted mediator not set apart by the proof, with
weighted partners), as further columns. At 10,000 mediators (2026-12-06) that raised D003's least chance at the
budget from 0.000519 to 0.000574 (0.000579 with the partners of ``PAIR_TOP``).
Where the level's value lies below the proof's bound (D003 at 10,000 mediators: 1 / 1,667 against 1 / 1,666; D011
1 / 1,818.5 against 1 / 1,805.5) the LP's optimum weighs a set other than ``W``: 138 of D003's 1,667 lie outside it,
and the medium mediators outside it each share acceptable panels with a few of them only (ranks 200 to 600 by
``panel_bounds``: about 19 of 1,667), so the optimal panels match them up like a bipartite matching, and the LP found
that matching one augmenting step a round (27 LP solves, 47 units of work on D003). So with the proof come **mover
panels** too (``_SearchPricing._mover_panels``): for each mediator outside ``W`` (all but the strongest
``MOVER_SKIP``), a bound on the best panel holding them and each other mediator (``pair_bounds``: one programme over
the pool for every pair) screens the partners each can share a panel with, and each is paired greedily with
``MOVER_PARTNERS`` of them, half those the fewest others can join (a matching's scarce side first), half spread over
the rest; every known panel then goes into the first LP before its first solve
(``DisputePanelOracle.first_level_columns``, ``matching.lottery.engine._Engine.first_columns``). Only when the others
number a sixth of ``W`` or more (``MOVER_SHARE``; a third until five30, which left out D002, with 513 beside 2,809,
whose LP reached the bound in 7 LP solves anyway: 3 with them, see the constant). Measured 2026-12-07 (load 4 to 5, the
first level from the start of each lottery, the same values and mediators fixed): D003's first LP at 1 / 1,672 instead
of 1 / 2,278, the level 20.0 units of work, 3 LP solves and 18.9 s of CPU against 46.9, 27 and 40.3; D011 57.0 units, 3
LP solves and 42.8 s against 70.1, 26 and 76.2. The screen was then one flagged ``panel_bounds`` pass per profile of
the others (D011's 107 passes charged about 44 units for 23 s of CPU); with ``pair_bounds`` (five30, 2026-12-07, load
3.5 to 6, the same values, mediators fixed and LP solves) D011's first level takes 13.4 units and 15 s of CPU, D003's
11.0 units and 7.1 s. With the default budget (benchmarks/bench_dispute_lottery.py, side by side with main, load 3 to
4, machine speed 1.13 to 1.23) D003 proves 4 levels instead of 2 and D011 its first (least chance 0.000550, its proven
bound) where main stopped inside it (0.000547, bound 0.000554); D002 ran as on main then. With ``pair_bounds`` and
D002's mover panels (five30, side by side with main, load 3.8 to 4.9, machine speed 1.20 to 1.35) D011 proves 9
levels instead of 1 (106.2 s of CPU against 49.6: the budget's work now buys levels whose LP solves it does not
charge), D002 16 instead of 10 (58.3 s against 57.2), D003 4 as on main (49.9 s against 46.2).

Once the first level's proof has set mediators apart, pricing first tries **pairs** (``_SearchPricing._paired``): when
no acceptable panel holds three of the mediators of positive weight (``panel_bounds`` over the panels whose other
members hold two of them, ``least``, room 2, leaves each under the floor), the bounded search finds every acceptable
panel holding two of them (only those with a partner among them, room 1, can be in one; ``PAIR_SCAN``) and they all
join the known panels. From then on weights whose positive part lies in that set (``paired``) are priced without a
search (``_pairs_price``): a panel holding two of them is known, one holding fewer weighs at most the largest weight,
so the heaviest known panel is the answer as soon as it weighs that much. A set that fails (three proven possible, or
the search past its cap) is remembered, and so is any set holding it. The first level's duals weigh nearly the whole
pool (the weak mediators, who share panels only in pairs): measured 2026-12-06 at 10,000 mediators on D002 (load 9 to
12), the first pairing found 15,929 panels in about 5 s of CPU, and the first level ended proven at 1 / 2,995 (the
two tiers' bound) after 10 pricing calls, where it had run into the budget unproven with CP-SAT calls of 9 to 11 s;
with a budget of 300 the next three levels ended proven too (main: still in the first level), and the fifth ran into
it on CP-SAT calls (its duals weigh stronger mediators too, which share panels in threes). With the default budget
(benchmarks/bench_dispute_lottery.py, side by side with main at load 13 to 14, machine speed 0.88) D002 took 72.7 s of
CPU for its first level proven and the second stopped (main 40.7 s, none proven; least chance 0.000334 against
0.000332); D003 and D011 did not change (47.4 and 36.6 s against 49.5 and 39.2): their first level's duals still
weigh sets that acceptable panels hold three or more of when the budget runs out.

A later pairing, of a set holding new mediators beside (some of) ``paired``, searches only for the panels holding a
new one: the search weighs the new mediators with a partner k and those of ``paired`` 1, above k, so a partial panel
of ``paired`` alone, which can weigh k at most, is never started. Weighted 2 and 1, above 2, it looked at every partial
panel of three of ``paired``: measured 2026-12-06 on D002 at 10,000 mediators (budget 300, load 3 to 4), a pairing
that added one new mediator looked at 36 million partial panels in 3.6 s of CPU, now 0.25 million in 0.03 s, and one
in the fifth level that used to pass ``PAIR_SCAN`` (and fail) now finds its 46,646 panels in 10 s, after which that
level ends in one more call and the sixth takes 4.5 s of CPU instead of 25: 9 levels proven in 166 s of CPU, against
7 in 150 s; the first level's pairings charged 34 units of work instead of 43.

The pairing's knowledge prices weights beyond ``paired`` too (``_SearchPricing._single_paired``, tried before
``_heavier`` on calls without a restriction): an acceptable panel holding two of ``paired`` is known and none holds
three, so one heavier than the heaviest known panel holds at most one of them, and the bounded search is told so
(``_search``'s ``single``: a partial panel holding one takes no other, and its weight bound counts one of them at most,
``_Single``). After D002's first level at 10,000 mediators the duals weigh 2,935 mediators of ``paired`` 2^28 and 119
others less: the search on the whole pool, which let partial panels count several of the 2,935, passed its cap, and so
did the narrowed ones, so CP-SAT priced it (7 to 13 s); told, the search looks at 0.63 million partial panels in 0.2 s
of CPU. Measured 2026-12-07 (benchmarks/bench_dispute_lottery.py, default budget, load 4.4, machine speed 0.88): D002's
three CP-SAT calls are gone (32 search calls, 5 levels proven, 105.6 s of CPU against 129.3 at speed 1.10; the
widening after the first level charges 3.6 units instead of 12.8, and the budget now runs out in the sixth level,
where a failing pairing charges 20.6 units and the counting 7.8), D003 and
D011 unchanged (the same calls and results: 12 and 1 CP-SAT calls in their unended first level).
The same argument holds for the searches after the counting and the Lagrangian narrowing (``_SearchPricing._single_flags``:
a panel heavier than the heaviest known one holds one of ``paired`` at most), and for a call with a restriction (the
fine stage of two-stage pricing): there the heaviest known panel meeting the restriction bounds the search, and a panel
holding two of ``paired`` that meets it is known, so ``_single_paired`` prices those calls too.
Before any pairing the first level's proof tells those searches as much (``_single_flags``): no acceptable panel holds
two of the mediators it set apart (``apart``), so they hold one of them at most, and the counting's may then look at up
to ``APART_SCAN`` partial panels at a depth. The first level's duals weigh those mediators 2 and others 1 (D003 at
10,000 mediators: 1,430 and 548, 1,532 of them apart), and a count past ``LAGRANGE_SCAN`` went to CP-SAT (about 5 s of
CPU for one panel); it now looks at 25.8 million partial panels in 2.2 s and finds all 2,929 heavier than the known
ones. Measured 2026-12-07 (load 4 to 6, the first level from the start of each lottery, units of work, the same value
and mediators fixed): D011's first level 68.9 units, 26 LP solves, no CP-SAT call and 83.5 s of CPU against 92.2, 34,
3 and 109.1 s; D003's 61.7 units, 27 LP solves and 4 CP-SAT calls against 65.9, 36 and 5 (its other CP-SAT calls come
after a pairing, where a count past ``LAGRANGE_SCAN`` would pass ``APART_SCAN`` too).

A CP-SAT answer is followed by the same greedy panels holding two weighted mediators as a search's answer
(``_SearchPricing.pair_columns``). D003's first level at 10,000 mediators prices weights of two values (1 and 2, on
about 1,950 mediators; the heaviest known panel 2) by CP-SAT, finding a panel of 3; its LP had gained one to three
columns a call and its least chance stood at 0.000586 for the last eight calls. Measured 2026-12-07 (default budget,
load 4 to 6): least chance 0.000593 (bound 0.000604), 11 CP-SAT calls instead of 12; D002 and D011 priced as before.

A pricing answer heavier than every known panel brings its **swap neighbourhood** along (``_SearchPricing.neighbours``,
after a search's answer and after CP-SAT's): each member replaced by each mediator of positive weight that keeps the
panel heavier than the known ones, the acceptable results swapped once more, up to ``NEIGHBOUR_MAX`` panels; they join
``known`` and go along as candidate columns. D003's first level at 10,000 mediators (its LP gaining one to three
columns a CP-SAT call, as above): measured 2026-12-07 (benchmarks/bench_dispute_lottery.py, default budget, load 3 to
4, machine speed 1.03; main the same day at load 2 to 4, speed 1.12), least chance 0.000599 against 0.000593 (bound
0.000604), 6 CP-SAT calls instead of 11, 59.2 s of CPU against 71.9; D002 proves 7 levels instead of 5 (74.5 s against
64.0); D011 0.000544 against 0.000545 (2 CP-SAT calls against 1). Given work 90, D003's first level ends proven at
1 / 1,667 (0.0005999: the LP's duals weighing 1,667 mediators 1, no acceptable panel holding two of them) after 72
units of work and 65 s of CPU (load 4), 8 CP-SAT calls and 33 LP solves: below the two-tier bound, which that level's
LP therefore never reaches; its widening then prices 28-bit weights by CP-SAT three times, 11.5 units each, unproven.

The later levels' duals weigh the fixed weak mediators 2 and the free strong ones 1 (on D002, about 2,800 and 320):
acceptable panels hold three or more of them, so pairing fails, the Lagrangian narrowing proves too little, and every
call went to CP-SAT (8 to 14 s), nearly always to prove that the heaviest known panel is the heaviest. Weights of few
small values are priced by **counting** instead (``_SearchPricing._counted``): in units of their greatest common
divisor a panel heavier than the heaviest known one weighs at least ``goal`` units, so a member of ``u`` units has
others of at least ``goal - u``; one ``panel_bounds`` pass with every mediator flagged by their units (``least``, each
with that ``need``, up to ``COUNT_ROOM`` units) leaves below the floor everyone in no such panel, and the search looks
at the others only. Usually none of positive weight is left: the heaviest known panel is proven the heaviest in one
pass (about 1.5 s at 3,300 mediators). Measured 2026-12-06 on D002 at 10,000 mediators with a budget of 300 (load
4, same machine): 7 levels proven (3,068 of 3,322 mediators fixed) in 155 s of CPU, where main proved 4 (3,036) in
191 s, its fifth level pricing by CP-SAT 9 times; the only CP-SAT call left is the first level's widening (weights of
five values up to 2^28). The default budget's results did not change (the first level prices as before). With ``COUNT_FIRST_FROM`` weighted mediators outside the paired set it runs
before pairs, otherwise after the Lagrangian narrowing (both after a ``climb`` from the heaviest known panels): in the
first level, where the Lagrangian narrowing answers at less cost, running it first there cost D002 its first level
under the default budget.

Past the enumeration cap the oracle hands the engine its known panels as **cheap pricing** in the later levels
(``DisputePanelOracle.stored``, ``STORED``; ``matching.lottery.engine._Engine.stored_panels``): the known acceptable
panels heaviest first under a round's weights, from the panels-by-mediators matrix the search keeps anyway, no search
and no proof. The later levels' LPs are degenerate (their duals weigh every fixed mediator with small integers and a
few free ones) and take tens of rounds whose improving panels the searches of earlier rounds had often met already;
those rounds now re-solve the LP without a pricing call, and the exact pricing runs only when no known panel beats the
cap. It also turns the engine's **widening** off (``WIDENING``): at 10,000 mediators the widening after the first
level cost D003 23.0 units (three CP-SAT calls) and D011 2.5 units and fixed nobody, and on D002 (where it fixed 2,997
at once for 18.9 units, against 2,995 and a second level at the same value) the levels up to 1 / 1,331 took 86.0
units without it against 93.0; after the later levels it never fixed anybody more there (its lifting LPs took 0.1 to
3.8 s of CPU a level). Measured 2026-12-07 from the start of each lottery, to the same level values, against main
(load 4 to 6, units of work; the values, bounds and agents fixed are the same, plus D002's second level at 1 / 2,995):
D003 to its third level (1 / 1,381.7) 157.2 units and 160 s of CPU against 222.9 and 253 s (the third level 90.8 units,
19 exact calls, against 133.6 and 55; the widening's 23.0 gone); D002 to 1 / 1,331.1 91.3 units against 93.0 (some
levels cheaper, one dearer: the exact calls left after stored rounds come at duals where no known panel beats the cap,
and narrow less); D011's seventh level, replayed from the same start, 59.6 units and 18 exact calls against 118.0 and
40.

In the tail of a long lottery the duals weigh the fixed mediators with integers up to 17 to 30 and the few free strong
ones 0 to 4 (D002 at 10,000 mediators, levels 29 and 30, 55 to 61 mediators free): past the count's room, so the
Lagrangian narrowing (which left everyone) and then CP-SAT priced them, at 10 to 13 units a call, most of level 30's
unproven. Such weights (up to ``SCALE_TOP`` units of their common divisor) are now **counted scaled** first
(``_SearchPricing._scaled``): each weight times a factor (``_scaling``: a half, a third, ..., or ``(SCALE_ROOM - 1) /
above``) rounded up, so that a panel heavier than the heaviest known one sums to a goal within ``SCALE_ROOM``; the same
``panel_bounds`` pass and search as the count's then prove the heaviest or find the heavier ones, exactly (rounding up
only adds). Replayed on D002's 25 dumped pricing calls of levels 29 and 30 (a fresh oracle, calls in order;
2026-12-07, load 4 to 5): 9 CP-SAT calls instead of 18 (two of them the widening's 28-bit weights), 9 answers unproven
instead of 12, 188.6 units instead of 244.0 and 267 s of CPU instead of 300; the 11 calls it proved took 1.8 to 5.0 units
each where CP-SAT took 9.3 to 13.4, and three of them were heavier than CP-SAT's unproven answers (34 against 32, 18
against 17, 21 against 18). The 5 it left to CP-SAT (heaviest known 18 to 22, CP-SAT's bounds 22 to 25) kept too many
mediators for the search's cap.

When the plain count's search passes its cap, a **ceiling descent** follows (``_SearchPricing._ceiling``; not after
the scaled count's, whose passes near ``SCALE_ROOM`` cost 4 to 7 s of CPU each on D002 and where it is not measured):
the same pass and search at up to ``CEILING_STEPS`` higher goals, each either finding every panel heavier than the
weight that goal stands for (the heaviest among them is the heaviest) or proving no panel heavier (a ceiling); a panel
weighing a proven ceiling is then looked for among greedy panels holding two weighted mediators
(``_ceiling_witness``). The later levels of D003 at 10,000 mediators weigh 1 and 2 with the heaviest known panel 2 and
the heaviest 3: the count's search at goal 3 passed its cap, the Lagrangian narrowing failed and CP-SAT answered (5 to
6 units a call, 3 of them CP-SAT's deterministic seconds). Measured 2026-12-07 from the start of the lottery to the end
of its third level (load 4 to 5; the same level values and mediators fixed): 90.8 units of work and 83 s of CPU, one
CP-SAT call, against 157.2 units, 176 s and 18 calls; the third level 30.9 units and 12 pricing calls against 90.8 and
19. D011's seventh and eighth levels, replayed from the same start: 49.8 units and 74 s of CPU, no CP-SAT call, against
60.4 units, 82 s and 2. A count pass is charged by the programme's profiles split by the members' units
(``COUNT_WORK``), as its CPU grows. With the default budget (benchmarks/bench_dispute_lottery.py, side by side with
main, load 2 to 4) D003's first two levels now end proven (least chance 0.000600, its proven bound) with one CP-SAT
call, where main stopped in the first with four; D002 proves 10 levels instead of 9, D011 still stops in its first
(0.000546 against 0.000545, one CP-SAT call instead of two).

Past every count's room (a goal past ``EXACT_ROOM``, or one mediator alone heavier than the heaviest known panel: the
tail of D002's levels at 10,000 mediators, weights of 166 to 1,152 units and the precise stage's 2^27) the last narrowing
before CP-SAT **branches on heavy members** (``_SearchPricing._split``): a heavier panel holds a mediator of at least
its share of the goal, whose other members are its ``pair_bounds`` partners (4 to 11 for a weak mediator there), so each
branch is listed or searched among a few. Measured 2026-12-07 on single calls replayed from D002's levels 40 to 45 (load
3 to 5): each proven in 16 to 20 s of CPU (26 to 30 units), where CP-SAT answered unproven in 18 to 22 s (10 units) and
its precise stages after; six of seven found a heavier panel than CP-SAT's answer. Replayed from level 42's start, levels
42 and 43 end proven (1 / 23.51 and 1 / 15.59) where the run from scratch left them unproven at 1 / 24.82 and 1 / 16.00.
Each branch below the first keeps only the others that may still complete it (``_SearchPricing._peeled``, five36): the
bound on a panel holding the fixed members, that other and one more (``GroupBounds``: ``panel_bounds``' programme with
the group as one member) must reach the floor with enough of the others left, and its units plus the heaviest of those
the need, again until no other drops. The partners two by two had left nearly every such branch to search; on four
calls replayed from D002's levels 41 to 43 (2026-12-08) the forced searches fell from 1,903 to 1,909 a call to 391 to
492 and the panels listed from 83,005 to 167,191 to 13,965 to 20,335, with the same rows. The bound reads tables kept per
covered set (0.5 ms a branch), so the call's CPU fell to 4.5 to 6.6 s (load 3; main's code 17.5 s on the same call at
the same load) and its work from 24.9 to 28.5 units to 4.3 to 6.7; the whole of D002 (``--full``, 51 levels, all proven)
took 353 s of CPU (load 3 to 4), levels 41 to 51 206 s of it, where it took 557 s (436 s) before. A branch whose search
passes its cap is branched on instead of ending the call: D011's level 24 at 10,000 mediators gave up after 7,698 forced
searches (the panels listed past ``NARROWED_CAP``), then, once the peeling had cut those to 864, on one search past its
cap; replayed, its first call now ends proven (45 rows, 71 s of CPU at load 3, 1,432 searches, 146 units of work).

The column generation has a deterministic budget (``LOTTERY_BUDGET``: rounds and summed CP-SAT work,
never seconds) and stops at a safe point when the caller's ``CancelToken`` asks to; either way the
answer is the best lottery so far, checked like any other, marked ``stopped`` and not proven, with the
leximin levels it fixed and the least chance it proves (``DisputeLottery.stop_note`` in words).
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from matching.core.config import DEFAULT_TIME_LIMIT, Budget, Locks, SolveConfig
from matching.core.defaults import DEFAULT_FLOOR, DEFAULT_TICKETS
from matching.core.domain import Role
from matching.core.errors import ArgumentError
from matching.core.progress import CancelToken, ProgressFactory
from matching.core.status import Status
from matching.io.results import Seat, lottery_solver_label, run_block, seats_json
from matching.io.rulesets import RuleSet
from matching.lottery.engine import (
    DRAW_RULE,
    METHODS,
    STOPPED_BY_USER,
    Lottery,
    Panel,
    Pricing,
    Restriction,
    Tickets,
    cpsat_best,
    draw_ticket,
    round_to_tickets,
    solve,
)
from matching.panel.bounds import LOW as _LOW
from matching.panel.bounds import GroupBounds, PlainProgramme, pair_bounds, panel_bounds, plain_bounds, plain_programme
from matching.panel.model import (
    PanelModel,
    best_chair,
    locked_indices,
    order_panel,
    solve_instance,
    upper_bounds,
)
from matching.rules.checker import DisputeView
from matching.rules.encoding import TRADITIONS, PanelInstance, encode
from matching.rules.kernel import (
    POPCOUNT,
    Panels,
    chair_values,
    clash_matrix,
    group_bits,
    score_panels,
    separable_values,
    tradition_bits,
)
from matching.rules.recheck import recheck
from matching.rules.scoring import OBJECTIVE_SCALE, SCORE_SCALE
from matching.rules.workspace import Workspace

LINEARIZATION: int | None = 2
# Most partial panels one depth of the bounded enumeration may look at: about half a second per
# million on this kind of machine; the last depth is streamed in chunks, an earlier depth at the cap
# would hold about 0.6 GB (150 bytes a row). The demo disputes look at up to 3.6 million (D073, 180 MB
# at its peak). Past the cap the lottery prices with CP-SAT; 0 always prices with CP-SAT.
ENUMERATION_CAP = 4_000_000
# Next-best enumerated panels returned beside the best as candidate columns: many per round cut the
# column-generation rounds (measured on D002: 341 LP solves with none, 85 with 30, 62 with 100).
ENUMERATED_OTHERS = 30
# Past ENUMERATION_CAP each pricing call searches the acceptable panels that beat the best known one for its
# weights (``_SearchPricing``); one that would look at more partial panels than this at some depth is priced
# by CP-SAT instead. 0 always prices with CP-SAT.
PRICING_CAP = 4_000_000
# Acceptable panels already known (witnesses and earlier answers) handed to the engine with each answer,
# heaviest first: on the first call of the covering phase they cover most of the pool at once.
KNOWN_OTHERS = 5_000
WITNESS_PARTNERS = 64  # best-valued mediators the witness panels are completed from
GREEDY_PER_PROFILE = 3  # best-valued mediators of each profile the greedy witness panels are completed from
# A greedy seat (``_greedy_step``) first looks at this many candidates per state of the panel so far, and takes the
# candidates' orders and the rows it computes in full this many cells (rows times candidates) at a time.
GREEDY_LEAD = 16
GREEDY_CELLS = 4_000_000
# Pools past this many mediators are narrowed with ``panel_bounds`` (about a second per pass at thousands of
# mediators, so a small pool is left to the cheaper ``upper_bounds``); 0 always narrows.
TIGHT_BOUNDS_FROM = 200
# Past PRICING_CAP the search is narrowed by ``panel_bounds`` with room for at most this many members of weight
# 0 (each more multiplies the programme's states); a wider room goes to CP-SAT.
NARROW_ROOM = 2
# Past this many mediators of positive weight pricing goes straight to the narrowed search (the whole pool's
# search then nearly always passes PRICING_CAP, after about a second).
NARROW_FROM = 1_000
# Narrowed pricing is tried only when the positive weights take at most this many values (the first leximin
# level's 0/1 weights; with more values the levels by count of weighted members rarely narrow enough and the
# narrowed search runs long before passing its cap: CP-SAT is quicker there).
NARROW_VALUES = 1
NARROWED_CAP = 1_000_000  # PRICING_CAP of a narrowed search
# Lagrangian narrowing (``lagrangian_bounds``): the multipliers tried, as shares of the members' value spread per
# unit of the largest weight, in this order.
LAGRANGE_SHARES = (Fraction(1, 4), Fraction(1, 16), Fraction(1))
# The search after the Lagrangian narrowing first looks at about this many mediators of largest bound, then four
# times as many while it finds nothing, down to the best known panel's weight.
LAGRANGE_FIRST = 64
# A depth of that search may look at this many partial panels, as long as NARROWED_CAP of them pass its bounds
# (about 2 s of CPU; a CP-SAT pricing call takes 4 to 6 s there).
LAGRANGE_SCAN = 4_000_000
# ... and a depth of the count narrowing's search may look at this many while it holds at most one of the mediators the
# first level's proof set apart (``_SearchPricing._single_flags`` before any pairing): no acceptable panel holds two of
# them, and the first level's duals weigh them with the others that panels hold two of. On D003 at 10,000 mediators
# (2026-12-07) such a call looked at 25.8 million partial panels in 2.2 s of CPU and found 2,929 panels heavier than the
# known ones, where past LAGRANGE_SCAN it went to CP-SAT (about 5 s, one panel).
APART_SCAN = 32_000_000
# Past it, the search looks for a panel as heavy as the narrowing allows among this many heaviest mediators left
# (and those of weight 0 among them: on D002 at 10,000 mediators the heaviest panel for the first level's duals,
# two of weight 2 and three of weight 0, was found there in 0.05 s of CPU instead of 9 to 12 s of CP-SAT).
REACH_SIZES = (32, 128)
# ``_SearchPricing._witness_search`` looks for a panel at a proven ceiling among this many of positive weight (those most
# likely to reach it) and those of weight 0, before all of them.
WITNESS_SIZES = (16, 64)
WITNESS_CHUNK = 16  # ... then the heaviest weight's this many at a time, beside the lighter weights' most likely
# Deterministic seconds charged to the lottery's budget per programme pass of the narrowing, per unit of room and
# per NARROW_CELLS of the programme's size (``programme_cells``: its profiles times its alignment spans, what a pass's
# CPU grows with): without CP-SAT calls the budget's work would otherwise never run out. Measured 2026-12-06 at
# 10,000 mediators, a plain pass took 0.42 s on D002 (780 cells, 3,331 mediators), 0.44 s on D011 (815, 2,502) and
# 0.07 s on D003 (138, 2,305); charged per mediator, as before, D003 paid about six times D011's rate. Measured again
# later that day (five13, D002 and D011, load 2 to 4, machine speed 0.87), a pass took 0.12 to 0.17 s of CPU per
# NARROW_CELLS and unit of room plus one (plain 0.16, room 1 ``least`` 0.46 in all, room 2 ``least`` 0.63, counting
# with 5 counts 1.44): charged 1.0 per unit, 4 to 6 units per second of CPU, where a CP-SAT call's deterministic
# seconds are 0.8 per second of its CPU; 0.2 charges about 1.
NARROW_WORK = 0.2
# A count pass (``_SearchPricing._count_pass``, the count narrowing's and the scaled one's) is charged this per
# NARROW_CELLS of its programme with the profiles split by the members' units (``programme_cells`` with ``flags``: the
# programme's own profiles) and per unit of its goal plus one. Charged like the other passes (NARROW_WORK, by the
# profiles without units), a pass with many distinct units was charged far less than its CPU (five22, 2026-12-07, D002
# at 10,000 mediators, load 5: 0.31 to 0.50 units a second of CPU at goals 8 to 18 with units up to 6 to 30, 0.94 to
# 1.02 at goals 3 and 4 with units 1 and 2); by the split profiles the CPU is 0.09 to 0.12 ms per cell and count there
# (goals 3 to 18), so 0.1 charges 1.1 to 1.4 units a second across them.
COUNT_WORK = 0.1
NARROW_CELLS = 800  # about D011's programme: its passes are charged what they were per 2,500 mediators
NARROW_WORK_SIZE = 2_500  # a greedy pass is charged GREEDY_WORK per this many mediators (starts)
# The rest of the pricing search is charged too, so that the budget's work follows the CPU it takes (measured on
# D002 and D011 at 10,000 mediators, 2026-12-05: a greedy pass over 2,500 mediators takes about 0.2 s since its
# gains are computed per profile, 0.5 s before): the bounded search per million partial panels looked at, a greedy
# pass per NARROW_WORK_SIZE mediators. Measured again (five13, as NARROW_WORK): the search took 0.16 s of CPU per
# million partial panels (charged 0.5, 3 units per second), the greedy passes about 0.1 s per NARROW_WORK_SIZE starts
# (charged 0.2, 2 units per second).
SEARCH_WORK = 0.15
GREEDY_WORK = 0.1
TIGHTEN_ROUNDS = 4  # Lagrangian passes over the mediators left, while they remove somebody
# Tied heaviest panels handed back beside the ENUMERATED_OTHERS, each seating someone new (``_spread_out``).
SPREAD_OTHERS = 300
# Pricing first tries greedy panels among the mediators of largest weight when there are at least this many.
FULL_WEIGHT_FROM = 50
ENUMERATION_CHUNK = 500_000  # partial panels extended at once (bounds the enumeration's memory)
# The lottery's default budget (``matching.core.config.Budget``): column-generation rounds and deterministic
# seconds of CP-SAT pricing summed over the run. Every demo dispute with the default weights ends well within it
# (D002, the largest, takes about 200 rounds and no CP-SAT pricing); a lottery priced by CP-SAT (past
# ENUMERATION_CAP) gets about two minutes of search (CP-SAT's, and the narrowing's counted by NARROW_WORK) and
# then returns its best distribution so far.
LOTTERY_BUDGET = Budget(rounds=5_000, work=60.0)
# 1: past ENUMERATION_CAP the oracle offers the engine a local search (``DisputePanelOracle.improve``): cheap
# columns between exact pricing calls. Off by default: at 10,000 mediators (benchmarks/bench_dispute_lottery.py,
# 2026-12-05) it halved the exact pricing calls per LP solve but the first leximin level still ran into the
# budget on CP-SAT pricing, D011 with 13% less CPU and D002 with 13% more; no dispute got proven.
LOCAL_SEARCH = False
# The engine's widening after each level (``matching.lottery.engine``, "Fixing many agents per level") past the
# enumeration cap: off (see the module docstring); enumerated disputes keep it.
WIDENING = False
# Cheap pricing from the known panels before each exact pricing call of a later level (``DisputePanelOracle.stored``).
STORED = True
SWAP_CANDIDATES = 400  # mediators of largest weight a member may be swapped for
SWAP_ROUNDS = 5  # swaps at most per start panel
CLIMB_STARTS = 4  # known panels the Lagrangian narrowing first climbs from (``_SearchPricing._climbed``)
# Halvings of the search for the weakest mediators no acceptable panel holds two of (``_SearchPricing.first_level_bound``):
# each is one pass of ``panel_bounds`` counting the others set apart up to one (``least``; on D011 at 10,000 mediators
# 1.8 s of CPU over 2,502 mediators, 4.0 s when it counted the strongest up to k - 2).
BOUND_STEPS = 5
# Nationalities tried by ``nation_apart`` (one ``panel_bounds`` pass each, room 1): those of this many strongest
# mediators (by ``panel_bounds``), a nationality's holders among NATION_STRONG strongest being the partners the
# weakest may need. On D003 at 10,000 mediators (2026-12-07) the three strongest Swiss nationals rank 0, 10 and 29:
# no acceptable panel seats one of ``apart`` beside any of the 21 others, 9 of whom are outside both tiers.
NATION_TOP = 3
NATION_STRONG = 40
# Panels with exactly one of the mediators set apart (``_SearchPricing._apart_panels``), built for each other mediator
# when the first level's proof is found: started with this many of them of best value, and this many more spread over
# all of them; completed greedily in chunks of APART_CHUNK starts (memory: starts times ``GREEDY_LEAD``, with each
# state of the panels so far times candidates). A greedy call's cost goes with its distinct states more than with its
# starts, so the chunks are large: measured 2026-12-08 on 40 calls replayed from D003's seventh leximin level at 10,000
# mediators (the ceiling witness's pairs, 75,682 starts over 950 candidates), 1.8 s of CPU with chunks of 2,000
# starts and the full gain of every candidate for every start, 1.3 s with ``_greedy_step``, 0.5 s with both and one
# call per ``_started``. In a whole run of D003 to its 11th level (2026-12-08, machine speed 1.12, load 3.6 to 4.8)
# the 319 greedy calls took 12.7 s of CPU, and main's ``_greedy`` on the same inputs 43.7 s (the same panels).
APART_TOP = 10
APART_SPREAD = 20
APART_CHUNK = 20_000
# Panels pairing each mediator outside the proof's ``apart`` with others of the pool that ``panel_bounds`` leaves able
# to share an acceptable panel with them (``_SearchPricing._mover_panels``), built with the first level's proof: at most
# this many partners each, spread over those that pass. 0 turns them off.
MOVER_PARTNERS = 64
MOVER_SKIP = 15  # ... neither started from nor paired with the strongest this many
# ... and built only when the others number at least one in MOVER_SHARE of those set apart. Measured 2026-12-07 at
# 10,000 mediators: D003 773 others beside 1,532 set apart and D011 926 beside 1,576, whose LPs crawled (27 and 26
# solves; 3 with these panels); D002 513 beside 2,809, whose LP reached the proof's bound in 7 solves anyway, left
# out (at 3) while its 136 screening passes would have cost about 50 units; screened by ``pair_bounds`` (five30), its
# first level takes 3 LP solves, 10.0 units and 8.9 s of CPU with them against 7, 19.7 and 13.9 without (load 3.6),
# the same value and mediators fixed.
MOVER_SHARE = 6
# Panels with two weighted mediators built in a pricing call with weights of few values (``_SearchPricing._pair_panels``),
# for each weighted mediator not set apart: started with this many weighted others of best value, and this many spread
# (on D003 at 10,000 mediators, 2026-12-06, 10 and 20 reached a least chance of 0.000579 in 24 s of CPU, 5 and 10
# 0.000571 in 27 s).
PAIR_TOP = 10
PAIR_SPREAD = 20
PAIR_VALUES = 8  # ... in a pricing call whose positive weights take at most this many values
# The search for every acceptable panel holding two of the first level's second tier (``_SearchPricing._packed_tier``)
# may look at this many partial panels at a depth, as long as PRICING_CAP of them pass its bounds (D011 at 10,000
# mediators, 2026-12-06: 14.9 million in all, 3.1 s of CPU, 77,336 panels; past PRICING_CAP alone it gave up).
PACK_SCAN = 16_000_000
# Pair pricing (``_SearchPricing._paired``): the search for every acceptable panel holding two of a set of weighted
# mediators no acceptable panel holds three of may look at this many partial panels at a depth, as long as
# PRICING_CAP of them pass its bounds (D002 at 10,000 mediators, 2026-12-06, the first level's 3,066 weighted
# mediators: 527 of them with a partner among the others, 27.8 million partial panels in all, 15,929 panels, 4.9 s
# of CPU).
PAIR_SCAN = 64_000_000
PAIR_WORK = 0.2  # charged per million partial panels that search looks at (its CPU there: 0.18 s per million)
# Count narrowing (``_SearchPricing._counted``): tried when the heaviest known panel weighs less than this many units
# of the weights' greatest common divisor (the programme's states grow with it: one more count per unit). On D002 at
# 10,000 mediators the seventh level's duals weigh 2, 3, 4 and 6 (the heaviest known panel 10): with 12 one pass of
# 3.4 s of CPU answered where CP-SAT took 12.5 s.
COUNT_ROOM = 12
# ... first, before pairs, when at least this many weighted mediators lie outside the paired set (``_counts_first``;
# at 10,000 mediators on D002 the later levels weigh 59 to 430 such, the first level 22 to 35). 100 -> 50 (five13,
# 2026-12-06, with the charges above, default budget): D002's fourth and fifth levels took 3.7 and 12.3 s of CPU
# instead of 5.7 and 21.2 s (pairings that failed after seconds of search), 5 levels proven instead of 4; D003 and
# D011 priced exactly as before.
COUNT_FIRST_FROM = 50
# Scaled counting (``_SearchPricing._scaled``): weights past the count's room are counted scaled down (``_scaling``),
# each weight rounded up, for
# weights whose largest takes at most SCALE_TOP units of their common divisor (the later leximin levels' duals: on D002
# at 10,000 mediators the tail's top 17 to 30; the widening's weights of 2^28 are left to CP-SAT).
SCALE_TOP = 64
# ... with goals up to SCALE_ROOM units (one programme count per unit). D002's level 29 at 10,000 mediators (top 30, the
# heaviest known panel 32, the heaviest acceptable one 34): a goal of 17 (units of 2) left 258 mediators and proved 34
# the heaviest in 7.0 s of CPU; units of 3 (goal 11) left 2,209, past the search's cap.
SCALE_ROOM = 18
# Exact counting (``_SearchPricing._exact``), the last count before CP-SAT: the weights counted in units of their
# common divisor, not rounded, for a goal (the heaviest known panel's units plus one) up to EXACT_ROOM (one programme
# count per unit: a pass over D002's pool at 10,000 mediators takes about 17 s of CPU at goal 36). The tail's duals
# there (levels 31 to 40, 45 to 9 free) weigh the fixed mediators up to 18 to 109 and the free ones 0 to 4; rounded to
# SCALE_ROOM units the count kept 2,203 of 3,331 (level 32: every pair of fixed mediators within a unit of the goal),
# exactly 350, among which the search found the heaviest panels in 0.04 s where CP-SAT's answer was unproven.
EXACT_ROOM = 128
# The count narrowing's ceiling descent (``_SearchPricing._ceiling``): when the search at the count's goal passes its
# cap, the pass and search run again at up to this many higher goals, each proving a ceiling or finding the heaviest.
CEILING_STEPS = 2
# ... and in the exact count's (``_SearchPricing._exact``), whose passes over the mediators the count kept are cheap (about
# 0.2 s of CPU each on D011 at 10,000 mediators): its level 17's duals (weights 6 to 24, the heaviest known panel 24,
# the heaviest 30) passed the cap at goals 25 to 27 and went to CP-SAT (18 to 20 units, about 10 s of CPU a call); at
# goal 28 the pass keeps 42 to 84 mediators and the search finds every heavier panel (4 s of CPU, 12.6 to 15.2 units).
EXACT_CEILING_STEPS = 6
# ... for goals up to this many units only: a pass's CPU grows with its goal, and on D011's level 18 (weights up to 92,
# goal 93) six more passes failed too (18 passes, 23 s of CPU and 189 units for that call) before the Lagrangian answered.
EXACT_CEILING_GOAL = 32
# The branching on heavy members (``_SearchPricing._split``): at most SPLIT_NODES branches a call, and a branch whose
# mediators left are at most SPLIT_LEAF is searched at once (``_forced_search``).
SPLIT_NODES = 20_000
SPLIT_LEAF = 300
# ... and one whose others may be chosen in at most SPLIT_LISTED ways is listed, all such panels scored at once.
SPLIT_LISTED = 2_000
# ... and ``pair_bounds`` asked for at least SPLIT_ROWS mediators at a time (``_SearchPricing._partners``).
SPLIT_ROWS = 1_000
# ... and ``_peeled`` charged this much a branch (0.53 ms of CPU each on D002's level 43 at 10,000 mediators, 2026-12-08,
# load 4: the search's 0.59 to 0.88 s of CPU per unit).
GROUP_WORK = 0.0008
# ... and a panel weighing the ceiling it proves is looked for among greedy panels started from this many weighted
# mediators at a time, best-valued first (``_SearchPricing._ceiling_witness``), until some reach it.
WITNESS_MOVERS = 256
# A pricing answer heavier than every known panel brings its swap neighbourhood along (``_SearchPricing.neighbours``):
# panels reached by up to NEIGHBOUR_DEPTH swaps of a member for a weighted mediator, still heavier than every panel known
# before; at most NEIGHBOUR_ROWS candidates scored at a depth, NEIGHBOUR_MAX panels in all; charged NEIGHBOUR_WORK per
# million candidates scored.
NEIGHBOUR_DEPTH = 2
NEIGHBOUR_ROWS = 200_000
NEIGHBOUR_MAX = 2_000
NEIGHBOUR_WORK = 3.0
_NO_CHAIR = -(2**40)  # chair bonus of a mediator who may not chair
_NO_ROOM = -(2**60)  # ``_Roster.best_from`` where fewer than r members are left
_ABSENT = np.iinfo(np.int64).min  # ``_best_after``'s place holder past the end of the roster (below any value)


def objective_threshold(optimum: int, floor: float) -> int:
    """The smallest integer objective at least ``optimum - (1 - floor) * |optimum|``, computed exactly
    (``floor`` is read as the decimal it prints as, so 0.95 means 19/20)."""
    share = Fraction(repr(float(floor)))
    return math.ceil(optimum - (1 - share) * abs(optimum))


@dataclass(frozen=True)
class _Roster:
    """The pool as the bounded search sees it: sorted by separable value (best first) to enumerate every
    acceptable panel, or by pricing weight (largest first, then by value) to price (``_SearchPricing``)."""

    people: np.ndarray  # indices into the instance
    value: np.ndarray  # separable part of the objective per member
    best_from: np.ndarray  # [p + 1, k + 1]: sum of the r largest values from q on (_NO_ROOM without r members left)
    weight: np.ndarray  # pricing weight per member (0 for the enumeration of every acceptable panel)
    weight_from: np.ndarray  # [p + 1, k + 1]: the weights of q .. q + r - 1 summed (the r largest from q on)
    multipliers: np.ndarray  # [m, 2] (a, b): weight and value coupled as b * weight + a * value (none to enumerate)
    shift: int  # the weights in ``coupled`` are divided by 2 ** shift, rounded up
    coupled: np.ndarray  # [p, m] b * ceil(weight / 2 ** shift) + a * value per member and multiplier
    coupled_from: np.ndarray  # [p + 1, k + 1, m]: sum of the r largest of each column of ``coupled`` from q on
    chair_bonus: np.ndarray  # extra value as chair (_NO_CHAIR if the mediator may not chair)
    chair_after: np.ndarray  # [p + 1] largest chair bonus from each position on
    trad_bits: np.ndarray
    group_bits: np.ndarray
    most_traditions: int
    female: np.ndarray
    male: np.ndarray
    align: np.ndarray  # [p, parties]
    aligned_after: np.ndarray  # [p + 1, parties] largest alignment with each party from each position on
    pref: np.ndarray  # [p, ranking parties] preference of the worst-off party's kind
    pref_after: np.ndarray  # [p + 1, k + 1, ranking parties]: sum of the r largest of each column from q on
    pair_hi: np.ndarray  # [pairs] first party of each ordered pair of distinct parties
    pair_lo: np.ndarray  # [pairs] second party of each pair
    pair_after: np.ndarray  # [p + 1, k + 1, pairs]: sum of the r largest ``_pair_values`` of each pair from q on
    align_classes: np.ndarray  # [classes, parties] the distinct alignments of the members with the parties
    co: np.ndarray  # holds a party nationality
    offers: np.ndarray  # bit 0: may chair; bit 1 + l: speaks working language l
    clash: np.ndarray  # [p, p] shares a nationality, rows and columns in ``clash_pos`` order
    clash_pos: np.ndarray  # each member's row in ``clash``


@dataclass(frozen=True)
class _Partial:
    """Partial panels (one per row) and what the bound needs to know about their members."""

    seats: np.ndarray  # [N, depth] positions in the roster, increasing
    last: np.ndarray  # last position taken (-1 for the empty panel)
    total: np.ndarray  # separable value so far
    chair: np.ndarray  # largest chair bonus so far
    trads: np.ndarray  # bit set of traditions covered
    groups: np.ndarray  # bit set of UN groups covered
    females: np.ndarray
    males: np.ndarray
    aligned: np.ndarray  # [N, parties] alignment so far
    prefs: np.ndarray  # [N, ranking parties]
    cos: np.ndarray  # co-nationals so far
    offered: np.ndarray  # ``_Roster.offers`` of the members, or-ed

    def take(self, rows: np.ndarray) -> _Partial:
        return _Partial(*(getattr(self, name)[rows] for name in _PARTIAL_FIELDS))

    @staticmethod
    def concat(parts: list[_Partial]) -> _Partial:
        if len(parts) == 1:
            return parts[0]
        return _Partial(*(np.concatenate([getattr(q, name) for q in parts]) for name in _PARTIAL_FIELDS))

    def extend(self, roster: _Roster, parent: np.ndarray, j: np.ndarray) -> _Partial:
        return _Partial(
            seats=np.hstack([self.seats[parent], j[:, None]]),
            last=j,
            total=self.total[parent] + roster.value[j],
            chair=np.maximum(self.chair[parent], roster.chair_bonus[j]),
            trads=self.trads[parent] | roster.trad_bits[j],
            groups=self.groups[parent] | roster.group_bits[j],
            females=self.females[parent] + roster.female[j],
            males=self.males[parent] + roster.male[j],
            aligned=self.aligned[parent] + roster.align[j],
            prefs=self.prefs[parent] + roster.pref[j],
            cos=self.cos[parent] + roster.co[j],
            offered=self.offered[parent] | roster.offers[j],
        )

    def bonus(
        self, inst: PanelInstance, roster: _Roster, open_seats: int, last_align: np.ndarray | None = None
    ) -> np.ndarray:
        """An upper bound on the panel-level part of the objective (chair bonus, diversity, neutrality
        balance, worst-off party's preference) of any completion with ``open_seats`` more members after
        ``last``; exact for a complete panel (``open_seats`` 0). With ``last_align`` (one open seat, taken
        by a member of that alignment with the parties) the neutrality balance is exact too."""
        bonus = self._other_terms(inst, roster, open_seats)
        if self.aligned.shape[1]:
            bonus -= (
                inst.weights["neutrality"] * inst.neutral_asym_coef * self._least_spread(roster, open_seats, last_align)
            )
        return bonus

    def _least_spread(self, roster: _Roster, open_seats: int, last_align: np.ndarray | None) -> np.ndarray:
        """A lower bound on the final spread of the alignment totals (largest less smallest party's)."""
        if last_align is not None:
            final = self.aligned + last_align
            return np.asarray(final.max(axis=1) - final.min(axis=1))
        # Each party's total can still grow by r times the largest alignment with it after ``last``.
        reach = self.aligned + open_seats * roster.aligned_after[self.last + 1]
        return np.asarray(np.maximum(0, self.aligned.max(axis=1) - reach.min(axis=1)))

    def coupled(self, inst: PanelInstance, roster: _Roster, open_seats: int) -> np.ndarray:
        """An upper bound on the whole objective (the value so far included) of any completion with
        ``open_seats`` more members after ``last``, which couples the neutrality balance with the
        members' values; the largest integer when the dispute has fewer than two parties.

        Valid because for every ordered pair of parties (p, q) the final spread is at least
        ``A_p - A_q``, so the balance term is at most ``-w c (A_p - A_q)``, which splits into the part
        of the members so far and one share per new member: added to each new member's value, those
        shares make the pair's objective bound separable, at most the ``open_seats`` largest sums after
        ``last`` (``_Roster.pair_after``); the other panel-level terms are bounded as in ``bonus``. Every
        pair gives an upper bound, so the least of them is one. It matters when neutrality weighs much:
        the decoupled bound lets the best values and a perfect balance come from different members,
        a slack that grows with the weight (on the demo dispute D002 at neutrality 1.5 it lets 3.7 times
        the partial panels through to the last seat)."""
        cost = inst.weights["neutrality"] * inst.neutral_asym_coef
        rest = self.total + self._other_terms(inst, roster, open_seats)
        bound = np.full(len(self.total), np.iinfo(np.int64).max, dtype=np.int64)
        for t, (p, q) in enumerate(zip(roster.pair_hi.tolist(), roster.pair_lo.tolist(), strict=True)):
            gap = self.aligned[:, p] - self.aligned[:, q]
            bound = np.minimum(bound, rest - cost * gap + roster.pair_after[self.last + 1, open_seats, t])
        return bound

    def _other_terms(self, inst: PanelInstance, roster: _Roster, open_seats: int) -> np.ndarray:
        """``bonus`` without the neutrality balance (the chair bonus, diversity, neutrality's constant
        and the worst-off party's preference): an upper bound, exact for a complete panel."""
        w, k, r = inst.weights, inst.k, open_seats
        bonus = np.maximum(self.chair, roster.chair_after[self.last + 1]) if r else self.chair.copy()
        if k >= 2:
            bonus += w["diversity"] * (
                inst.tradition_coef * np.minimum(len(TRADITIONS), POPCOUNT[self.trads] + r * roster.most_traditions)
                + inst.group_coef * np.minimum(POPCOUNT[self.groups] + r, k)
                + inst.gender_coef * np.minimum(np.minimum(self.females, self.males) + r, k // 2)
            )
        bonus += w["neutrality"] * SCORE_SCALE
        if inst.ranking_parties:
            bonus += w["preference"] * (self.prefs + roster.pref_after[self.last + 1, r]).min(axis=1)
        return bonus


_PARTIAL_FIELDS = tuple(f.name for f in fields(_Partial))  # in order (``take``, ``concat``: once, not per call)


def _suffix_max(values: np.ndarray) -> np.ndarray:
    """[p + 1, columns]: the largest value of each column from each row on (0 past the end)."""
    out = np.zeros((len(values) + 1, values.shape[1]), dtype=np.int64)
    if len(values):
        out[:-1] = np.maximum.accumulate(values[::-1], axis=0)[::-1]
    return np.maximum(out, 0)


def _best_after(values: np.ndarray, k: int) -> np.ndarray:
    """[p + 1, k + 1, columns]: the sum of the r largest values of each column from each row on (of all of
    them when fewer than r are left). By doubling: after step s each row holds the k largest of the
    2^s rows from it on, largest first (rows past the end as the least int64, which sorts last), so about
    log2(p) vectorised sorts of at most 2k entries along the last axis. Several columns cost about as much
    as one (each sort is one call over every row and column): on the forced searches of D011's level 24 at
    10,000 mediators this took 19.7 s of the split's 41.5 when it sorted by (present, value) and gathered
    with ``np.take_along_axis``, one call per column set (measured 2026-12-07)."""
    p, columns = values.shape
    out = np.zeros((p + 1, k + 1, columns), dtype=np.int64)
    if not k or not p:
        return out
    top = np.full((p + 1, columns, 1), _ABSENT, dtype=np.int64)
    top[:p, :, 0] = values
    span = 1
    while span < p:
        width = top.shape[2]
        both = np.empty((p + 1, columns, 2 * width), dtype=np.int64)
        both[:, :, :width] = top
        both[: p + 1 - span, :, width:] = top[span:]
        both[p + 1 - span :, :, width:] = _ABSENT
        both.sort(axis=2)
        top = both[:, :, : -min(k, 2 * width) - 1 : -1]  # the k largest, largest first
        span *= 2
    sums = np.cumsum(np.where(top == _ABSENT, 0, top), axis=2).transpose(0, 2, 1)
    kept = sums.shape[1]
    out[:, 1 : kept + 1] = sums
    out[:, kept + 1 :] = sums[:, -1:]  # fewer than r in every row: all of them
    return out


def _party_pairs(parties: int) -> tuple[np.ndarray, np.ndarray]:
    """The first and second party of each ordered pair of distinct parties (``_Roster.pair_hi``, ``pair_lo``)."""
    hi, lo = np.nonzero(~np.eye(parties, dtype=bool))
    return np.asarray(hi, dtype=np.int64), np.asarray(lo, dtype=np.int64)


def _pair_values(
    inst: PanelInstance, value: np.ndarray, align: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each ordered pair (p, q) of distinct parties, and per member and pair their value less the
    neutrality balance they cost that pair: ``value - w c (a_p - a_q)`` (see ``_Partial.coupled``)."""
    hi, lo = _party_pairs(align.shape[1])
    cost = inst.weights["neutrality"] * inst.neutral_asym_coef
    return hi, lo, (value[:, None] - cost * (align[:, hi] - align[:, lo])).astype(np.int64)


@dataclass(frozen=True)
class _Members:
    """What ``_roster`` knows of each mediator of a pool on their own, in the pool's order (weights aside): built once
    for a pricing call's pool, then taken (``take``) for each of its many small rosters (``_SearchPricing._split``'s
    forced searches), which used to compute it afresh from the instance each time."""

    people: np.ndarray  # indices into the instance
    value: np.ndarray  # ``separable_values``
    chair_bonus: np.ndarray
    pref: np.ndarray  # [p, ranking parties]
    pair_values: np.ndarray  # [p, pairs] ``_pair_values``
    traditions: np.ndarray  # legal traditions held
    trad_bits: np.ndarray
    group_bits: np.ndarray
    female: np.ndarray
    male: np.ndarray
    align: np.ndarray  # [p, parties]
    align_class: np.ndarray  # row of ``align_classes`` of each member
    co: np.ndarray
    offers: np.ndarray  # ``_Roster.offers``
    align_classes: np.ndarray  # [classes, parties] the distinct alignments of the whole pool, sorted (``np.unique``)

    @staticmethod
    def of(inst: PanelInstance, people: np.ndarray) -> _Members:
        align = inst.alignment[people].astype(np.int64)
        value = separable_values(inst, people)
        classes, align_class = np.unique(align, axis=0, return_inverse=True)
        return _Members(
            people=people,
            value=value,
            chair_bonus=np.where(inst.chair_ok[people], chair_values(inst)[people], _NO_CHAIR).astype(np.int64),
            pref=inst.pref_min_coef[people].astype(np.int64)
            if inst.ranking_parties
            else np.zeros((len(people), 0), dtype=np.int64),
            pair_values=_pair_values(inst, value, align)[2],
            traditions=inst.traditions[people].sum(axis=1).astype(np.int64),
            trad_bits=tradition_bits(inst, people),
            group_bits=group_bits(inst, people),
            female=inst.female[people].astype(np.int64),
            male=inst.male[people].astype(np.int64),
            align=align,
            align_class=np.asarray(align_class, dtype=np.int64).reshape(-1),
            co=inst.co_national[people].astype(np.int64),
            offers=inst.chair_ok[people].astype(np.int64)
            | (inst.speaks[people].astype(np.int64) << np.arange(1, inst.speaks.shape[1] + 1)).sum(axis=1),
            align_classes=classes,
        )

    def take(self, rows: np.ndarray) -> _Members:
        """The members at ``rows``, in that order (``align_classes`` stays the whole pool's)."""
        return replace(self, **{name: getattr(self, name)[rows] for name in _MEMBER_ROWS})

    def classes(self) -> np.ndarray:
        """The distinct alignments of these members with the parties, sorted (``np.unique``'s rows)."""
        present = np.zeros(len(self.align_classes), dtype=bool)
        present[self.align_class] = True
        return np.asarray(self.align_classes[present])


_MEMBER_ROWS = tuple(f.name for f in fields(_Members) if f.name != "align_classes")  # a row per member


def _roster(
    inst: PanelInstance,
    pool: list[int] | np.ndarray,
    weights: np.ndarray | None = None,
    clash: np.ndarray | None = None,
    members: _Members | None = None,
    clash_rows: np.ndarray | None = None,
) -> _Roster:
    """The pool (indices into ``inst``) best value first; with ``weights`` (one per mediator of ``pool``
    in sorted order) largest weight first, then best value first. ``clash`` is ``clash_matrix`` of the
    sorted pool, ``members`` its ``_Members``, when already known; or with ``clash_rows`` (the sorted pool's
    rows in it) that of a larger pool."""
    pool_arr = np.sort(np.asarray(pool, dtype=np.int64))
    table = _Members.of(inst, pool_arr) if members is None else members
    member = table.value
    weight = np.zeros(len(pool_arr), dtype=np.int64) if weights is None else np.asarray(weights, dtype=np.int64)
    order = np.lexsort((pool_arr, -member, -weight))  # ties by index: deterministic
    people = pool_arr[order]
    value = member[order]
    pref = table.pref[order]
    pair_hi, pair_lo = _party_pairs(table.align.shape[1])
    pair_values = table.pair_values[order]
    k = inst.k
    weight = weight[order]
    shift, multipliers = _multipliers(weight, value, k)
    coupled = -((-weight) >> shift)[:, None] * multipliers[:, 1] + value[:, None] * multipliers[:, 0]
    # One ``_best_after`` for every column: its cost is in the number of calls more than in their columns.
    after = _best_after(np.hstack([value[:, None], coupled, pref, pair_values]), k)
    m, ranking = len(multipliers), pref.shape[1]
    best_from = after[:, :, 0].copy()
    weight_from = np.zeros((len(people) + 1, k + 1), dtype=np.int64)
    prefix = np.concatenate([[0], np.cumsum(weight)]).astype(np.int64)
    for r in range(k + 1):
        room = len(people) + 1 - r
        if room > 0:
            weight_from[:room, r] = prefix[r:] - prefix[:room]
            best_from[room:, r] = _NO_ROOM
        else:
            best_from[:, r] = _NO_ROOM
    chair_bonus = table.chair_bonus[order]
    align = table.align[order]
    return _Roster(
        people=people,
        value=value,
        best_from=best_from,
        weight=weight,
        weight_from=weight_from,
        multipliers=multipliers,
        shift=shift,
        coupled=coupled,
        coupled_from=after[:, :, 1 : 1 + m],
        chair_bonus=chair_bonus,
        chair_after=np.concatenate([np.maximum.accumulate(chair_bonus[::-1])[::-1], [_NO_CHAIR]]),
        trad_bits=table.trad_bits[order],
        group_bits=table.group_bits[order],
        most_traditions=int(table.traditions.max()),
        female=table.female[order],
        male=table.male[order],
        align=align,
        aligned_after=_suffix_max(align),
        pref=pref,
        pref_after=after[:, :, 1 + m : 1 + m + ranking],
        pair_hi=pair_hi,
        pair_lo=pair_lo,
        pair_after=after[:, :, 1 + m + ranking :],
        align_classes=table.classes(),
        co=table.co[order],
        offers=table.offers[order],
        clash=clash_matrix(inst, pool_arr) if clash is None else clash,
        clash_pos=order if clash_rows is None else clash_rows[order],
    )


COUPLED_WEIGHT_BITS = 24  # weights are shifted to this many bits in the coupled bound (no int64 overflow)


def _multipliers(weight: np.ndarray, value: np.ndarray, k: int) -> tuple[int, np.ndarray]:
    """The shift and the multipliers ``a / b`` (rows (a, b)) for coupling a pricing call's weights with the
    members' values in the weighted search (``_search``): about the largest weight over the spread of the
    values, times 1/4, 1 and 4; only those whose sums over k members stay well inside int64. None when
    every weight is 0 (the enumeration of every acceptable panel)."""
    top = int(weight.max()) if len(weight) else 0
    if top <= 0:
        return 0, np.zeros((0, 2), dtype=np.int64)
    shift = max(0, top.bit_length() - COUPLED_WEIGHT_BITS)
    top = -(-top >> shift)
    spread = max(1, int(value.max()) - int(value.min()))
    largest = max(abs(int(value.max())), abs(int(value.min())))
    rows = [
        (a, b)
        for a, b in ((top, 4 * spread), (top, spread), (4 * top, spread))
        if (b * top + a * largest) * (k + 2) < 2**60
    ]
    return shift, np.array(rows, dtype=np.int64).reshape(-1, 2)


def acceptable_panels(
    inst: PanelInstance, pool: list[int], threshold: int, locks: Locks, cap: int = ENUMERATION_CAP
) -> np.ndarray | None:
    """Every panel of ``inst.k`` members of ``pool`` that keeps the hard rules and ``locks`` and scores at
    least ``threshold`` with its chair (the locked chair if there is one, otherwise the best): rows of
    indices into ``inst``, each row sorted, rows in lexicographic order. ``None`` when some depth of the
    search would look at more than ``cap`` partial panels.

    Branch and bound over the pool sorted by separable value (best first): a partial panel is extended
    only by mediators after its last one, and only while its value so far, plus the best values that
    could fill the open seats, plus an upper bound on the panel-level terms given the members so far
    (``_Partial.bonus``), reaches the threshold. Those extensions are a prefix of the candidates, so a
    depth is a few vectorised steps, in chunks of ``ENUMERATION_CHUNK`` to bound memory. Nationality
    clashes and the co-national limit are applied on the way; complete panels must reach the threshold
    with their exact panel-level terms, and the survivors are scored again by the batch's scorer
    (``matching.rules.kernel.score_panels``: every hard rule, best chair, exact value) and filtered by it.
    """
    k = inst.k
    if len(pool) < k:
        return np.zeros((0, k), dtype=np.int64)
    roster = _roster(inst, pool)
    seats = _search(inst, roster, threshold, cap)
    if seats is None:
        return None
    members = np.sort(roster.people[seats], axis=1)
    return _keep(inst, score_panels(inst, members), threshold, locks)


@dataclass(frozen=True)
class _Single:
    """For a search that takes at most one of a flagged set (``_search``'s ``single``): the flags per roster
    position and the weight bounds that know it, [p + 1, k + 1] each: ``other_from`` the r largest weights of
    unflagged members from q on (for a partial panel holding a flagged member), ``either_from`` that or the
    largest flagged weight from q on with the r - 1 largest unflagged (for one holding none). Both only shrink
    along the roster, as ``_candidates`` needs."""

    flags: np.ndarray
    other_from: np.ndarray
    either_from: np.ndarray

    @staticmethod
    def of(roster: _Roster, flags: np.ndarray, k: int) -> _Single:
        flags = np.asarray(flags, dtype=bool)
        weight = np.asarray(roster.weight, dtype=np.int64)
        other_from = _best_after(np.where(flags, 0, weight)[:, None], k)[:, :, 0]
        top = _suffix_max(np.where(flags, weight, 0)[:, None])[:, 0]
        either_from = other_from.copy()
        either_from[:, 1:] = np.maximum(other_from[:, 1:], top[:, None] + other_from[:, :-1])
        return _Single(flags, other_from, either_from)

    def held(self, seats: np.ndarray) -> np.ndarray:
        """1 for each partial panel (rows of roster positions) holding a flagged member, else 0."""
        return np.asarray(self.flags[seats].any(axis=1), dtype=np.int64)


def _search(
    inst: PanelInstance,
    roster: _Roster,
    threshold: int,
    cap: int,
    above: int | None = None,
    scan: int = 0,
    meter: list[int] | None = None,
    single: np.ndarray | None = None,
    truncate: bool = False,
) -> np.ndarray | None:
    """The bounded search of ``acceptable_panels`` over ``roster``: rows of k roster positions, a superset of
    the acceptable panels (those whose weight ``roster.weight`` sums to more than ``above``, when given), or
    None past ``cap``. With ``truncate`` a depth past ``cap`` goes on with its first ``cap`` partial panels (in
    roster order) instead (``_truncated``): some of those panels only, never a proof that there are no others (a
    witness search). With ``scan`` larger than ``cap``, a depth may look at up to ``scan`` partial panels as
    long as at most ``cap`` of them pass its bounds (the weighted search on flat weights, where the bounds on
    each candidate prune much more than the weights alone). ``meter[0]`` (when given) grows by the partial panels
    each depth looks at. Any order of the roster is valid; sorted by value the candidates for a seat are a
    prefix, otherwise a prefix of them is filtered by each candidate's own bound (``_candidates``). With ``single``
    (a flag per roster position) it looks only at panels holding at most one flagged member, and its weight bound
    knows it (``_Single``): the caller must have proven that no panel it wants holds two."""
    k = inst.k
    counted = [0] if meter is None else meter
    once = None if single is None or above is None else _Single.of(roster, single, k)
    one = np.zeros(1, dtype=np.int64)
    level = _Partial(
        seats=np.zeros((1, 0), dtype=np.int64),
        last=np.array([-1]),
        total=one,
        chair=np.full(1, _NO_CHAIR, dtype=np.int64),
        trads=one,
        groups=one,
        females=one,
        males=one,
        aligned=np.zeros((1, roster.align.shape[1]), dtype=np.int64),
        prefs=np.zeros((1, roster.pref.shape[1]), dtype=np.int64),
        cos=one,
        offered=one,
    )
    wanted = (1 << (1 + inst.speaks.shape[1])) - 1  # a chair and every working language
    pairs = len(roster.pair_hi) > 0
    for depth in range(k):
        r = k - depth  # open seats, the one being filled included
        weight_need = None if above is None else above - roster.weight[level.seats].sum(axis=1)
        runs = _runs(inst, roster, level, threshold, r, wanted if r == 1 else 0, weight_need, once)
        runs, looked_at = _truncated(runs, cap if truncate else None)
        if looked_at == 0:
            return np.zeros((0, k), dtype=np.int64)
        if looked_at > max(cap, scan):
            # Abandoned after counting the candidates of each partial panel (a few vector operations per parent):
            # charged for the parents, not for the partial panels it will never look at (on D003 at 10,000
            # mediators the 750 million of one such depth used to spend the lottery's whole budget at once).
            counted[0] += len(level.last)
            return None
        counted[0] += looked_at  # partial panels looked at, for the caller's work budget
        kept = 0
        parts = []
        # What each test compares, once per position or per partial panel rather than per child: most candidates fail the
        # first test (on D002's tail at 10,000 mediators 144 million of the 164 million looked at by one call's forced
        # searches), so the fewer passes over them the better.
        own = roster.value + roster.best_from[1:, r - 1]  # the candidate's own bound: its value and the best after it
        reach = roster.coupled + roster.coupled_from[1:, r - 1]  # [p, m] the same for each coupled column
        seated = roster.clash_pos[level.seats]  # [N, depth] the partial panels' rows in ``clash``
        for candidates, first, count, need in runs:
            ends = np.cumsum(count)
            own_of = own[candidates]
            bar = None
            if weight_need is not None:
                # A completion heavier than ``above`` that reaches the floor brings more than the weight still needed,
                # x, and at least ``need`` in value; its weights divided by 2 ** shift and rounded up sum to more than
                # x / 2 ** shift, so to more than floor(x / 2 ** shift): for a >= 0 and b > 0 its coupled sum passes
                # b * floor(x / 2 ** shift) + a * need (per partial panel and multiplier).
                a, b = roster.multipliers[:, 0], roster.multipliers[:, 1]
                bar = (weight_need >> roster.shift)[:, None] * b + need[:, None] * a
            lo = 0
            while lo < len(count):  # parents in blocks of about ENUMERATION_CHUNK children
                base = int(ends[lo - 1]) if lo else 0
                hi = max(lo + 1, int(np.searchsorted(ends, base + ENUMERATION_CHUNK, side="right")))
                block = count[lo:hi]
                at = np.repeat(first[lo:hi] - (np.cumsum(block) - block), block) + np.arange(int(ends[hi - 1]) - base)
                # The candidate's own bound (always met when the roster is sorted by value).
                ok = own_of[at] >= np.repeat(need[lo:hi], block)
                # Each test looks only at those the tests before kept (same children, in the same order): D011's 11
                # largest searches at 10,000 mediators took 5.7 s of CPU against 9.5 (2026-12-07, replayed).
                parent, j = np.repeat(np.arange(lo, hi), block)[ok], candidates[at[ok]]
                if bar is not None:
                    ok = (reach[j] > bar[parent]).all(axis=1)
                    parent, j = parent[ok], j[ok]
                ok = ~roster.clash[seated[parent], roster.clash_pos[j][:, None]].any(axis=1)
                if roster.co.any():
                    ok &= level.cos[parent] + roster.co[j] <= inst.max_co_nationals
                child = level.extend(roster, parent[ok], j[ok])
                if depth == k - 1:
                    child = child.take(child.total + child.bonus(inst, roster, 0) >= threshold)
                elif pairs:
                    child = child.take(child.coupled(inst, roster, r - 1) >= threshold)
                parts.append(child)
                kept += len(child.last)
                if kept > cap:
                    return None
                lo = hi
        level = _Partial.concat(parts)
    return level.seats


def _truncated(runs: _Runs, most: int | None) -> tuple[_Runs, int]:
    """``runs`` and the partial panels they look at, with ``most`` (``_search``'s ``truncate``) the candidates of each
    partial panel cut so that they number ``most`` at most in all, the first partial panels of the first runs kept
    whole: the children are then ``most`` at most too, so the depth never passes the cap."""
    looked_at = sum(int(count.sum()) for _, _, count, _ in runs)
    if most is None or looked_at <= most:
        return runs, looked_at
    out = []
    left = most
    for candidates, first, count, need in runs:
        ends = np.cumsum(count)
        cut = np.clip(left - (ends - count), 0, count)
        out.append((candidates, first, cut, need))
        left = max(0, left - int(cut.sum()))
    return out, most


_Runs = list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]


def _runs(
    inst: PanelInstance,
    roster: _Roster,
    level: _Partial,
    threshold: int,
    open_seats: int,
    wanted: int,
    weight_need: np.ndarray | None = None,
    once: _Single | None = None,
) -> _Runs:
    """The candidates for the next seat of each partial panel of ``level`` (``_candidates``), as one or
    more runs, each with the value per partial panel its candidates must bring with their best
    completion. The last seat is filled class by class of the members' alignment with the parties: within
    a class the neutrality balance of the complete panel is known exactly (``_Partial.bonus`` with
    ``last_align``), so only the chair bonus, diversity and preference are bounded there; the candidates
    of a panel across the classes are those of the single run, less those the exact balance rules out."""
    if open_seats > 1 or not len(roster.pair_hi):
        need = threshold - level.total - level.bonus(inst, roster, open_seats)
        return [(*_candidates(roster, level, need, open_seats, wanted, None, weight_need, once), need)]
    runs = []
    for align in roster.align_classes:
        need = threshold - level.total - level.bonus(inst, roster, 1, last_align=align)
        among = (roster.align == align).all(axis=1)
        runs.append((*_candidates(roster, level, need, 1, wanted, among, weight_need, once), need))
    return runs


def _candidates(
    roster: _Roster,
    level: _Partial,
    need: np.ndarray,
    open_seats: int,
    wanted: int,
    among: np.ndarray | None = None,
    weight_need: np.ndarray | None = None,
    once: _Single | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who may take the next seat of each partial panel: positions after its last member from which the
    best ``open_seats`` values reach ``need`` and (with ``weight_need``) the next ``open_seats`` weights
    sum to more than it, who offer what the panel still lacks of ``wanted`` (a chair, a working
    language: only asked for the last seat), and who are ``among`` those allowed (everybody by default).
    Returned as a list of positions and, per partial panel, the start and length of its run in that
    list: both conditions only weaken along the roster, so each run is a prefix of the positions after
    the panel's last member (sorted by value, every one of them can also reach ``need`` itself;
    otherwise ``_search`` filters them by their own value)."""
    p = len(roster.people)
    r = open_seats
    best_from = roster.best_from[: p + 1 - r, r]  # the r best values from j on
    weight_from = roster.weight_from[: p + 1 - r, r]
    lacking = wanted & ~level.offered
    # With ``once``: a panel holding a flagged member already (odd keys) takes no other, and weighs the rest less.
    held = np.zeros(len(need), dtype=np.int64) if once is None else once.held(level.seats)
    keys = 2 * lacking + held
    lists, offsets = [], 0
    first = np.zeros(len(need), dtype=np.int64)
    count = np.zeros(len(need), dtype=np.int64)
    for key in np.unique(keys):
        mask = int(key) // 2
        rows = np.flatnonzero(keys == key)
        offering = roster.offers[: len(best_from)] & mask == mask
        if among is not None:
            offering &= among[: len(best_from)]
        weights_from = weight_from
        if once is not None:
            weights_from = (once.other_from if key % 2 else once.either_from)[: p + 1 - r, r]
            if key % 2:
                offering &= ~once.flags[: len(best_from)]
        positions = np.flatnonzero(offering)
        start = np.searchsorted(positions, level.last[rows] + 1)
        fits = np.searchsorted(-best_from[positions], -need[rows], side="right")
        if weight_need is not None:
            fits = np.minimum(fits, np.searchsorted(-weights_from[positions], -weight_need[rows], side="left"))
        first[rows] = offsets + start
        count[rows] = np.maximum(fits - start, 0)
        lists.append(positions)
        offsets += len(positions)
    candidates = np.concatenate(lists) if lists else np.zeros(0, dtype=np.int64)
    return candidates, first, count


def _keep(inst: PanelInstance, scored: Panels, threshold: int, locks: Locks) -> np.ndarray:
    """The scored panels that keep ``locks`` and reach ``threshold`` with their chair, sorted."""
    k = inst.k
    value = scored.value
    keep = np.ones(len(scored), dtype=bool)
    if not locks.any:
        rows = scored.members[value >= threshold].astype(np.int64).reshape(-1, k)
        return rows[np.lexsort(rows.T[::-1])] if len(rows) else rows
    index = {m.mediator_id: i for i, m in enumerate(inst.mediators)}
    if locks.chair is not None:
        c = index.get(locks.chair)
        if c is None or not inst.chair_ok[c]:
            return np.zeros((0, k), dtype=np.int64)
        keep &= (scored.members == c).any(axis=1)
        chair = chair_values(inst)
        value = value - (chair[scored.chair] - chair[c])
    for mid in locks.include:
        i = index.get(mid)
        keep &= (scored.members == (-1 if i is None else i)).any(axis=1)
    for mid in locks.exclude:
        i = index.get(mid)
        if i is not None:
            keep &= ~(scored.members == i).any(axis=1)
    keep &= value >= threshold
    rows = scored.members[keep].astype(np.int64).reshape(-1, k)
    return rows[np.lexsort(rows.T[::-1])] if len(rows) else rows


@functools.cache
def _combinations(m: int, r: int) -> np.ndarray:
    """Every choice of ``r`` of ``range(m)``, as rows in increasing order (``_SearchPricing._listed``)."""
    return np.asarray(list(itertools.combinations(range(m), r)), dtype=np.int64).reshape(-1, r)


def _scaling(w_pool: np.ndarray, g: int, above: int) -> tuple[np.ndarray, int] | None:
    """Units and goal for the scaled count (``_SearchPricing._scaled``) of the weights ``w_pool`` (integers >= 0, common
    divisor ``g``) against ``above``: each weight times ``num / den`` rounded up, the goal ``above * num // den + 1``, which
    every panel heavier than ``above`` reaches (it sums to more than ``above * num / den``). Of the factors ``1 / (g q)``
    for the two least ``q`` with a goal within ``SCALE_ROOM`` and ``(SCALE_ROOM - 1) / above``, the one that rounds the
    weighted mediators up least, as a share of its goal: on D002's level 29 at 10,000 mediators (weights 2 to 30, mostly
    even, the heaviest known panel 32) halves left 258 mediators, 17 / 32 left 1,885; on its level 30 (weights 1 to 18,
    above 17 to 20) 17 / 19 proved where halves did not. None when the goal is not past every mediator's units."""
    weighted = w_pool[w_pool > 0]
    q = above // g // SCALE_ROOM + 1
    factors = [(1, g * q), (1, g * (q + 1))]
    if above > 0:
        factors.append((SCALE_ROOM - 1, above))
    best: tuple[Fraction, np.ndarray, int] | None = None
    for num, den in factors:
        goal = above * num // den + 1
        units = -(-w_pool * num // den)
        if goal > SCALE_ROOM or goal <= int(units.max()):
            continue
        slack = Fraction(int((-(-weighted * num // den) * den - weighted * num).sum()), den * goal * len(weighted))
        if best is None or slack < best[0]:
            best = (slack, units, goal)
    return None if best is None else (best[1], best[2])


@dataclass
class _Branches:
    """One ``_SearchPricing._split`` call: its weights (``w_pool``, and ``units`` of their common divisor), the heaviest
    known panel's weight, the restriction, the acceptable panels found by the searches (rows of instance indices), the
    panels listed (rows of positions in ``pool``, scored at the end) and the branches opened."""

    w_pool: np.ndarray
    units: np.ndarray
    above: int
    restriction: Restriction | None
    found: list[np.ndarray] = field(default_factory=list)
    listed: list[np.ndarray] = field(default_factory=list)
    nodes: int = 0
    looked: int = 0  # panels listed, at most NARROWED_CAP


class _SearchPricing:
    """Exact pricing by the bounded search, for disputes whose acceptable panels are too many to list.

    It keeps acceptable panels already known (``known``: the witness panels, then the answers given),
    each checked by the kernel's scorer. For weights ``w`` the best known panel gives ``w0``; the search
    (``_search`` on the roster sorted by weight) then looks only at panels that could weigh more than
    ``w0`` and reach the floor: a partial panel goes on only while its weight plus the next weights can
    pass ``w0`` and its value can still reach the floor. Most weights are 0, so the search stays small.
    The complete panels it meets are scored by the kernel (``score_panels``: every hard rule, best chair)
    and kept if they keep the locks, reach the floor and weigh more than ``w0``; the heaviest is the
    answer (proven: every panel heavier than ``w0`` was looked at), otherwise the best known one is.
    ``best`` returns None when some depth would look at more than ``PRICING_CAP`` partial panels (the
    oracle then asks CP-SAT)."""

    def __init__(
        self, inst: PanelInstance, pool: list[int], threshold: int, locks: Locks, seeds: Sequence[Sequence[int]]
    ) -> None:
        self.inst = inst
        self.threshold = threshold
        self.locks = locks
        self.inst_of = np.asarray(pool, dtype=np.int64)  # instance index of each agent
        self.agent = np.full(inst.n, -1, dtype=np.int64)  # agent of each instance index (-1 outside the pool)
        self.agent[np.asarray(pool, dtype=np.int64)] = np.arange(len(pool))
        self._active(sorted(pool))
        self.known = np.zeros((0, inst.k), dtype=np.int64)  # agents, rows sorted
        self._incidence: sparse.csr_matrix | None = None  # known panels x agents, built when first asked for
        self.narrowed = 0  # searches run on a pool narrowed by ``panel_bounds`` (``_narrowed``)
        self.lagrange = 0  # pricing calls narrowed by ``lagrangian_keep`` (``_lagrangian``)
        self.counted = 0  # pricing calls narrowed by counting weights (``_counted``)
        self.scaled = 0  # pricing calls narrowed by counting scaled weights (``_scaled``)
        self.exact = 0  # pricing calls narrowed by counting the weights exactly past the count's room (``_exact``)
        self.split = 0  # pricing calls narrowed by branching on their heavy members (``_split``)
        self._mates: dict[int, np.ndarray] = {}  # ``_partners``' flags, per position in ``pool``, for one call
        # The last count pass's weights and the positions it kept at its first goal (``_counted_heavier``): every member
        # of every acceptable panel heavier than the heaviest known one then, where ``_exact`` counts again.
        self._count_kept: tuple[np.ndarray, np.ndarray] | None = None
        # The lowest ceiling a call proved without a panel reaching it: (w_pool, kept, ceiling), for ``_witnessed``.
        self._unwitnessed: tuple[np.ndarray, np.ndarray, int] | None = None
        self.work = 0.0  # deterministic work of the narrowing not yet reported (``take_work``)
        # Proven: no acceptable panel holds ``need`` or more of the flagged mediators of the pool (``_narrowed``).
        self.impossible: list[tuple[np.ndarray, int]] = []
        # Positions in ``pool`` set apart by the first level's proof (``first_level_proof``; None before): with 0/1
        # weights a panel holding two weighted mediators holds one weighted mediator outside them (``_pair_panels``).
        self.apart: np.ndarray | None = None
        # The panels ``_mover_panels`` built with the first level's proof (rows of agents), for the engine's first LP.
        self.first_columns = np.zeros((0, inst.k), dtype=np.int64)
        # Flags (positions in ``pool``) of a set no acceptable panel holds three of, every acceptable panel holding
        # two of which is known (``_paired``; None before), and the sets for which that failed (not tried again).
        self.paired: np.ndarray | None = None
        self.unpaired: list[np.ndarray] = []
        # The last call's Lagrangian narrowing failed where the counting answered: ``_heavier`` counts first, until the
        # counting fails (on D011 at 10,000 mediators the first level's late calls, 2026-12-07: each Lagrangian pass
        # failed, 1.75 units, before a counting pass of 1.0 proved the heaviest known panel the heaviest).
        self.count_before_lagrange = False
        self._add(_witnesses(inst, self.pool, threshold, locks, seeds))

    def _active(self, pool: list[int]) -> None:
        self.pool = pool  # instance indices, sorted
        self.clash = clash_matrix(self.inst, np.asarray(pool, dtype=np.int64))
        self._pool_cells = programme_cells(self.inst, pool)
        self._last_roster: tuple[np.ndarray, _Roster] | None = None  # ``_pool_roster``'s, with its weights
        self._members: _Members | None = None  # ``_pool_members``'
        # ``GroupBounds`` over the pool's ``plain_programme`` for ``_peeled``, built when first asked (any weights).
        self._group_bounds: GroupBounds | None = None

    def cells(self, pool: list[int]) -> float:
        """The work of one unit of a ``panel_bounds`` pass over ``pool`` (instance indices), in units of NARROW_WORK."""
        cells = self._pool_cells if pool is self.pool else programme_cells(self.inst, pool)
        return cells / NARROW_CELLS

    def _add(self, rows: np.ndarray) -> None:
        """Add acceptable panels (rows of instance indices) to ``known``, kept without repeats in lexicographic order.

        The order is ``np.unique(axis=0)``'s, by ``np.lexsort`` (rows of plain integers) rather than by that call, which
        sorts the rows as records: on D011 at 10,000 mediators its 64 calls over about 30,000 known panels took 12 s of
        the lottery's 115 (2026-12-07, under cProfile)."""
        panels = np.sort(self.agent[rows], axis=1).reshape(-1, self.inst.k).astype(np.int64)
        if not len(panels):
            return
        both = np.vstack([self.known, panels])
        both = both[np.lexsort(both.T[::-1])]
        fresh = np.ones(len(both), dtype=bool)
        fresh[1:] = (both[1:] != both[:-1]).any(axis=1)
        self.known = np.ascontiguousarray(both[fresh])
        self._incidence = None

    def incidence(self, n: int) -> sparse.csr_matrix:
        if self._incidence is None:
            rows = np.repeat(np.arange(len(self.known)), self.inst.k)
            ones = np.ones(rows.size, dtype=np.int64)
            self._incidence = sparse.csr_matrix((ones, (rows, self.known.ravel())), shape=(len(self.known), n))
        return self._incidence

    def restrict(self, agents: list[int]) -> None:
        keep = np.zeros(len(self.agent), dtype=bool)
        inside = np.isin(self.agent, np.asarray(agents, dtype=np.int64)) & (self.agent >= 0)
        keep[inside] = True
        self._active([int(i) for i in np.flatnonzero(keep)])
        self.known = self.known[np.isin(self.known, np.asarray(agents, dtype=np.int64)).all(axis=1)]
        self._incidence = None
        self.impossible = []  # its flags are by position in the old pool
        self.paired, self.unpaired = None, []

    def best(self, weights: np.ndarray, restriction: Restriction | None) -> Pricing | None:
        k = self.inst.k
        weights = np.asarray(weights, dtype=np.int64)
        n = len(weights)
        pool = np.asarray(self.pool, dtype=np.int64)
        w_pool = weights[self.agent[pool]]
        self._full_weight(w_pool)
        allowed = self._allowed_known(n, restriction)
        known_value = self.incidence(n) @ weights
        above = int(known_value[allowed].max()) if allowed.any() else -1
        counts_first = self._counts_first(w_pool)
        rows = self._counted(w_pool, restriction) if counts_first else None
        if rows is None:
            if restriction is None and self._paired(w_pool):
                known_value = self.incidence(n) @ weights
                above = int(known_value.max()) if len(known_value) else -1
            rows = np.zeros((0, k), dtype=np.int64)  # proven by the pairs: none is heavier
            if restriction is not None or not self._pairs_price(w_pool, above):
                rows = self._single_paired(w_pool, above)
                if rows is None:
                    rows = self._heavier(w_pool, above, restriction, counted=counts_first)
        if rows is None:
            return None
        found = np.sort(self.agent[rows], axis=1).reshape(-1, k)
        value = weights[found].sum(axis=1)
        self.pair_columns(w_pool, max(above, int(value.max()) if len(value) else -1), restriction)
        keep = value > above
        if restriction is not None:
            keep &= np.asarray(restriction.weights, dtype=np.int64)[found].sum(axis=1) >= restriction.at_least
        found, value = found[keep], value[keep]
        order = np.lexsort((*found.T[::-1], -value))  # heaviest first, ties in canonical order
        found, value = found[order], value[order]
        order = _spread_out(found, value, weights)
        found, value = found[order], value[order]
        if len(found):
            self._add(self.pool_rows(found))
            if restriction is None:
                self.neighbours(weights, found, above)
        # ``_heavier`` may have added known panels too (``_lagrangian``'s climb): their order has changed.
        allowed = self._allowed_known(n, restriction)
        known_value = self.incidence(n) @ weights
        # The known panels, heaviest first (ties in canonical order): the answer when the search found
        # nothing heavier, and further candidate columns either way.
        rows_known = np.flatnonzero(allowed & (known_value > 0))
        rows_known = rows_known[np.lexsort((rows_known, -known_value[rows_known]))][:KNOWN_OTHERS]
        known = list(map(tuple, self.known[rows_known].tolist()))
        if len(found):
            panels = list(map(tuple, found.tolist()))
            return Pricing(panels[0], int(value[0]), True, others=tuple(panels[1:] + known))
        if known:
            return Pricing(known[0], int(known_value[rows_known[0]]), True, others=tuple(known[1:]))
        if not allowed.any():
            return Pricing(None, 0, True)
        first = int(np.flatnonzero(allowed)[0])  # every allowed panel weighs 0: the first in canonical order
        return Pricing(tuple(int(a) for a in self.known[first]), 0, True)

    def pair_columns(self, w_pool: np.ndarray, heaviest: int, restriction: Restriction | None) -> None:
        """Further columns for a pricing call without a restriction whose weights (``w_pool``) take few values
        (``PAIR_VALUES``) and whose heaviest acceptable panel (``heaviest``, found by the search or by CP-SAT) outweighs
        every single mediator: greedy panels holding two weighted mediators (``_pair_panels``) join ``known``, whose
        heaviest go along with the answer. After a CP-SAT answer too: at 10,000 mediators D003's first level priced
        by CP-SAT 12 times, its LP gaining one column a call (least chance stuck at 0.000586). Not for the later leximin
        levels' weights (``_counts_first``: nearly every mediator weighted, the fixed ones beside the free), whose
        acceptable panels hold three weighted mediators or more: on D002 at 10,000 mediators (levels 2 to 38, 2026-12-07)
        their greedy passes and scoring (some 14,000 pairs a call) took about 18 s of the 175 s of pricing CPU, and
        without them the same leximin values took about as many pricing calls (110 against 108) and fewer units."""
        top = int(w_pool.max()) if len(w_pool) else 0
        if self._counts_first(w_pool):
            return
        if restriction is None and 0 < top < heaviest and len(np.unique(w_pool[w_pool > 0])) <= PAIR_VALUES:
            self._add(self._pair_panels(w_pool > 0))

    def _counts_first(self, w_pool: np.ndarray) -> bool:
        """Whether pricing tries the count narrowing (``_counted``) before pairs: for weights of several values with
        ``COUNT_FIRST_FROM`` or more weighted mediators outside ``paired``, as the later leximin levels have them (the
        free mediators, stronger, weighted beside the fixed ones; acceptable panels hold three or more of them, so the
        pairing of that set fails, after seconds of search). The first level's duals weigh few mediators outside the
        set its pairing grows, and its panels holding two weighted members, all found by the pairing, end it sooner."""
        weighted = w_pool > 0
        if self.paired is None or len(np.unique(w_pool[weighted])) < 2:
            return False
        return int((weighted & ~self.paired).sum()) >= COUNT_FIRST_FROM

    def _pairs_price(self, w_pool: np.ndarray, above: int) -> bool:
        """Whether ``above`` (the heaviest known panel's weight) is proven the most any acceptable panel weighs under
        ``w_pool`` by the pairs (``_paired``): every mediator of positive weight is in ``paired``, so an acceptable
        panel holds two of them at most; one holding two is known, one holding fewer weighs at most the largest
        weight."""
        if self.paired is None or not len(w_pool):
            return False
        weighted = w_pool > 0
        return not (weighted & ~self.paired).any() and above >= int(w_pool.max())

    def _paired(self, w_pool: np.ndarray) -> bool:
        """Make every acceptable panel holding two of the mediators of positive weight known, when no acceptable
        panel holds three of them (``paired``, then ``_pairs_price`` prices such weights without a search); whether
        panels were added. The set tried is the weighted mediators with ``paired`` (then, failing that, alone).

        No panel holds three when ``panel_bounds`` over the panels whose other members hold two of the set
        (``least``, room 2) leaves each of the set under the floor; those with a partner in the set (room 1) are
        the only ones a panel holding two of it can hold, and the bounded search with weight k on them, above k,
        looks at every panel holding two of them (``PAIR_SCAN``; only at those holding one outside ``paired``, whose
        pairs are known, also when the set tried holds only some of it). Its panels are scored by the kernel and join
        ``known``."""
        k = self.inst.k
        weighted = w_pool > 0
        if self.apart is None:
            return False  # before the first level's proof: covering calls, whose weighted sets pass by
        if k < 2 or not weighted.any() or (self.paired is not None and not (weighted & ~self.paired).any()):
            return False
        tries = [weighted] if self.paired is None else [weighted | self.paired, weighted]
        held = self.incidence(len(self.inst_of))
        for flags in tries:
            if any(not (failed & ~flags).any() for failed in self.unpaired):
                continue  # a set holding one that failed fails too
            counted = np.zeros(len(self.inst_of), dtype=np.int64)
            counted[self.agent[np.asarray(self.pool, dtype=np.int64)[flags]]] = 1
            if len(self.known) and int((held @ counted).max()) >= 3:
                self.unpaired.append(flags)
                continue  # a known panel holds three of them
            three = panel_bounds(self.inst, self.pool, flags, 2, least=True)
            self.work += NARROW_WORK * 3 * self.cells(self.pool)
            if (three[flags] >= self.threshold).any():
                self.unpaired.append(flags)
                continue
            partner = panel_bounds(self.inst, self.pool, flags, 1, least=True)
            self.work += NARROW_WORK * 2 * self.cells(self.pool)
            ends = flags & (partner >= self.threshold)
            # Every acceptable panel holding two of ``paired`` is known, also for a set holding only some of it (the
            # second try): weight k on the ends outside it and 1 on those in it, above k, finds those holding one of
            # the others and another end. A panel of old ends alone weighs k at most, so the search, which takes the
            # roster heaviest first, never starts one (with weight 2 on the new ends, above 2, it looked at every
            # partial panel of three old ends: 36 million for one new end on D002 at 10,000 mediators).
            done = self.paired if self.paired is not None else np.zeros_like(ends)
            if int(ends.sum()) >= 2 and (ends & ~done).any():
                weight = k * (ends & ~done).astype(np.int64) + (ends & done)
                roster = _roster(self.inst, self.pool, weight, self.clash)
                meter = [0]
                seats = _search(self.inst, roster, self.threshold, PRICING_CAP, above=k, scan=PAIR_SCAN, meter=meter)
                self.work += PAIR_WORK * meter[0] / 1e6
                if seats is None:
                    self.unpaired.append(flags)
                    continue
                self._add(self._allowed(np.asarray(roster.people[seats]), None))
            self.paired = flags
            return True
        return False

    def _single_paired(self, w_pool: np.ndarray, above: int) -> np.ndarray | None:
        """Rows of instance indices, acceptable panels among which are all those heavier than ``above`` (the
        heaviest known panel's weight, among those meeting the call's restriction if it has one), by the search
        holding at most one of ``paired``; None without ``paired`` or past ``PRICING_CAP``. Exact by the pairing
        (``_paired``): no acceptable panel holds three of ``paired`` and every one holding two of them is known, so
        weighs ``above`` at most when it meets the restriction (the caller drops those that do not). The search on
        the whole pool takes them several at a time (the weights of the first level's proof, heaviest on the
        mediators set apart: D002 at 10,000 mediators, 2,935 of them, asked CP-SAT after the first level)."""
        if self.paired is None or not self.paired.any():
            return None
        roster = self._pool_roster(w_pool)
        meter = [0]
        flags = self.paired[roster.clash_pos]
        seats = _search(self.inst, roster, self.threshold, PRICING_CAP, above=above, meter=meter, single=flags)
        self.work += SEARCH_WORK * meter[0] / 1e6
        if seats is None:
            return None
        return _keep(
            self.inst, score_panels(self.inst, np.sort(roster.people[seats], axis=1)), self.threshold, self.locks
        )

    def _pool_roster(self, w_pool: np.ndarray) -> _Roster:
        """The whole pool's roster for the weights ``w_pool``, built once per pricing call (``_single_paired`` and
        ``_whole`` both search it)."""
        if self._last_roster is None or self._last_roster[0] is not w_pool:
            self._last_roster = (w_pool, _roster(self.inst, self.pool, w_pool, self.clash))
        return self._last_roster[1]

    def _pool_members(self) -> _Members:
        """The pool's ``_Members``, built once (``_forced_search`` takes its rosters' from it)."""
        if self._members is None:
            self._members = _Members.of(self.inst, np.asarray(self.pool, dtype=np.int64))
        return self._members

    def _allowed_known(self, n: int, restriction: Restriction | None) -> np.ndarray:
        """Which known panels meet ``restriction`` (all without one)."""
        if restriction is None:
            return np.ones(len(self.known), dtype=bool)
        return np.asarray(self.incidence(n) @ np.asarray(restriction.weights, dtype=np.int64) >= restriction.at_least)

    def _heavier(
        self, w_pool: np.ndarray, above: int, restriction: Restriction | None, counted: bool = False
    ) -> np.ndarray | None:
        """Rows of instance indices, acceptable panels among which are all those heavier than ``above`` (by
        ``w_pool``, the weights of ``pool``) when there are any: the search on the whole pool, or past its
        cap (or straight away with many weighted mediators) the level-by-level narrowed one (0/1 weights), then
        the one narrowed by ``lagrangian_keep``, then by counting (``_counted``, unless ``counted``: it ran
        already; first, when it answered the last time the Lagrangian narrowing failed: ``count_before_lagrange``);
        None past every cap. Weights past the count's room are counted scaled (``_scaled``) before the Lagrangian
        narrowing, which left every mediator in the tail of D002's levels at 10,000 mediators, and counted exactly
        (``_exact``): there CP-SAT's answers were unproven. The exact count runs right after a scaled count whose search
        passed its cap, over the mediators that count kept, otherwise last, before CP-SAT: on D002 at 10,000 mediators
        (levels 32 to 38, 2026-12-07) it answered each such call the Lagrangian narrowing had answered after 18 to 23
        ``panel_bounds`` passes, with the same answers and 2 to 5 units of work less a level. Then, when every
        narrowing failed, a panel at a ceiling a count proved (``_witnessed``), and the split on heavy members
        (``_split``)."""
        # Without a positive weight every acceptable panel is heavier than ``above`` = -1: nothing to narrow.
        narrow = 0 < len(np.unique(w_pool[w_pool > 0])) <= NARROW_VALUES
        many = int((w_pool > 0).sum()) >= NARROW_FROM
        if not many:
            rows = self._whole(w_pool, above)
            if rows is not None:
                return rows
        if narrow:
            rows = self._narrowed(w_pool, above, restriction)
            if rows is not None:
                return rows
        rows = None
        if self.count_before_lagrange and not counted:
            rows, counted = self._counted(w_pool, restriction), True
            self.count_before_lagrange = rows is not None
        if rows is None:
            rows = self._scaled(w_pool, restriction)
        exact = rows is None and self._count_kept is not None and self._count_kept[0] is w_pool
        if exact:
            rows = self._exact(w_pool, restriction)  # over what the count kept, before the Lagrangian (``_exact``)
        if rows is None:
            rows = self._lagrangian(w_pool, above, restriction)
        if rows is None and not counted:
            rows = self._counted(w_pool, restriction)
            self.count_before_lagrange = rows is not None
        if rows is None and many and not narrow:
            rows = self._whole(w_pool, above)
        if rows is None and not exact:
            rows = self._exact(w_pool, restriction)
        return rows if rows is not None else self._last_stages(w_pool, restriction)

    def _last_stages(self, w_pool: np.ndarray, restriction: Restriction | None) -> np.ndarray | None:
        """``_heavier``'s stages once every narrowing failed: a panel at a ceiling a count proved (``_witnessed``),
        then the split on heavy members (``_split``); None when neither answers (CP-SAT's turn)."""
        rows = self._witnessed(w_pool, restriction)
        return rows if rows is not None else self._split(w_pool, restriction)

    def _split(self, w_pool: np.ndarray, restriction: Restriction | None) -> np.ndarray | None:
        """The last narrowing before CP-SAT, for weights past the exact count's room (``EXACT_ROOM``) or with a mediator
        alone heavier than the heaviest known panel (no programme counts their units here, so any size does): rows of
        instance indices, a superset of the acceptable panels heavier than the heaviest known one (meeting
        ``restriction``) and among them all those of the largest weight (none when none is heavier: proven); None
        when it opens more than ``SPLIT_NODES`` branches, or the panels listed pass ``NARROWED_CAP``, or so does a
        search of a branch that cannot be branched on (one seat open or no weight wanted; any other is branched on).

        In units of the weights' common divisor ``g`` a panel heavier than ``above`` weighs ``goal = above // g + 1``
        or more. Branching on its heavy members proves it (``_branch``): with ``s`` seats open and ``need`` units still
        wanted, a panel holds one of the mediators of ``s`` times their units or more (the others' ``s`` seats sum to
        less), the first of them in order of weight, and then its other members each share an acceptable panel with
        that one (``pair_bounds``, ``_partners``) and come after it; each branch fixes that member and looks for the
        rest among their partners, until the heaviest of them fall short of the need (no such panel), or the ways to
        choose the rest are few (``SPLIT_LISTED``: all listed, then scored at once) or the need is met or one seat is
        left or few partners are (the search with the fixed members forced, ``_forced_search``). In the tail of D002's
        leximin levels at 10,000 mediators the duals weigh the fixed mediators up to 166 to 1,152 units with one of
        them alone as heavy as the heaviest known panel, past every count's room (``EXACT_ROOM``), and CP-SAT answered
        unproven; a weak mediator there shares acceptable panels with 4 to 11 strong ones only."""
        positive = w_pool[w_pool > 0]
        if not len(positive) or (w_pool < 0).any():
            return None
        n, k = len(self.inst_of), self.inst.k
        weights = np.zeros(n, dtype=np.int64)
        weights[self.agent[np.asarray(self.pool, dtype=np.int64)]] = w_pool
        allowed = self._allowed_known(n, restriction)
        above = int((self.incidence(n) @ weights)[allowed].max()) if allowed.any() else -1  # none known: every panel
        g = int(np.gcd.reduce(positive))
        if EXACT_ROOM >= above // g + 1 > int(positive.max()) // g:
            return None  # the exact count's case (``_exact``): weights of few units, as the first levels have, are CP-SAT's
        self.split += 1
        self._mates = {}
        branches = _Branches(w_pool, w_pool // g, above, restriction)
        if not self._branch(branches, (), np.arange(len(self.pool)), above // g + 1):
            return None
        found = branches.found
        if branches.listed:
            places = np.unique(np.sort(np.vstack(branches.listed), axis=1), axis=0)
            self.work += SEARCH_WORK * len(places) / 1e6
            found.append(self._allowed(np.asarray(self.pool, dtype=np.int64)[places], restriction))
        return np.vstack(found) if found else np.zeros((0, k), dtype=np.int64)

    def _branch(self, branches: _Branches, fixed: tuple[int, ...], within: np.ndarray, need: int) -> bool:
        """One branch of ``_split``: the acceptable panels holding the positions ``fixed`` of ``pool`` and others from
        ``within`` (each a partner of every fixed member) whose others sum to ``need`` units or more, into
        ``branches`` (with others that are not heavier than its ``above``); False when it gave up (``SPLIT_NODES``
        branches or a search's cap). Below the first, a branch keeps only the others ``_peeled`` leaves."""
        units, w_pool = branches.units, branches.w_pool
        seats = self.inst.k - len(fixed)
        if len(within) < seats:
            return True
        if int(np.sort(units[within])[::-1][:seats].sum()) < need:
            return True  # even the heaviest others fall short: no such panel
        shares = None
        if fixed:
            within, shares = self._peeled(branches, fixed, within, need)
            if len(within) < seats:
                return True  # no others both heavy enough and at the floor with the fixed members and each other
        branches.nodes += 1
        if branches.nodes > SPLIT_NODES:
            return False
        ways = math.comb(len(within), seats)
        if ways <= SPLIT_LISTED:
            branches.looked += ways
            if branches.looked > NARROWED_CAP:
                return False  # as a search past its cap
            branches.listed.append(self._listed(branches, fixed, within, seats))
            return True
        if need <= 0 or seats == 1 or len(within) <= SPLIT_LEAF:
            rows = self._forced_search(w_pool, fixed, within, branches.above, branches.restriction)
            if rows is not None:
                branches.found.append(rows)
                return True
            if need <= 0 or seats == 1:
                return False
            # Past the search's cap: branched on instead, where the peeling narrows each branch again.
        return self._branched(branches, fixed, within, need, shares)

    def _branched(
        self, branches: _Branches, fixed: tuple[int, ...], within: np.ndarray, need: int, shares: np.ndarray | None
    ) -> bool:
        """``_branch``'s branches below one: on each mediator of ``within`` of at least its share of ``need``, heaviest
        first, among their partners not branched on before (and at the floor with the fixed members and them:
        ``shares``, ``_peeled``'s flags, when it ran). False when one gave up."""
        units, seats = branches.units, self.inst.k - len(fixed)
        heavy = within[units[within] * seats >= need]
        heavy = heavy[np.lexsort((heavy, -units[heavy]))]
        mates = self._partners(heavy)
        left = np.ones(len(self.pool), dtype=bool)
        for h in heavy.tolist():
            left[h] = False
            kept = left[within] & mates[h][within]
            if shares is not None:
                kept &= shares[np.searchsorted(within, h)]
            if not self._branch(branches, (*fixed, h), within[kept], need - int(units[h])):
                return False
        return True

    def _peeled(
        self, branches: _Branches, fixed: tuple[int, ...], within: np.ndarray, need: int
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The mediators of ``within`` that may complete a panel of ``_branch``'s branch (``fixed``, others from ``within``
        summing to ``need`` units or more) at the floor. Each other x of such a panel shares it with the fixed members
        and the others, so ``GroupBounds`` of the fixed members and x with each of them reaches the floor, and x's units
        plus the heaviest of the mediators left that do make ``need``: x is dropped otherwise, again until none is (the
        mediators dropped leave the others fewer). The bound of the fixed members with their partners only (``_partners``,
        two by two) left every branch of D002's level 41 at 10,000 mediators to search (1,903 of them; 37 found a panel,
        2026-12-08); with it 1,281 were proven empty. Also, but for the last seat, the flags of those kept (in order) that
        reach the floor with the fixed members and each one of them (a row each): the branches below need no others."""
        units = branches.units[within]
        seats = self.inst.k - len(fixed)
        self.work += GROUP_WORK
        if seats == 1:
            bound = self._grouped()(np.asarray([fixed], dtype=np.int64), within)[0]
            return np.asarray(within[(bound >= self.threshold) & (units >= need)]), None
        order = np.lexsort((within, -units))  # heaviest first
        within, units = within[order], units[order]
        groups = np.hstack([np.tile(np.asarray(fixed, dtype=np.int64), (len(within), 1)), within[:, None]])
        shares = self._grouped()(groups, within) >= self.threshold
        np.fill_diagonal(shares, False)
        alive = np.ones(len(within), dtype=bool)
        while True:
            mates = shares & alive[None, :]
            heaviest = mates & (np.cumsum(mates, axis=1) <= seats - 1)  # each one's heaviest seats - 1 mates left
            reach = units + (heaviest * units[None, :]).sum(axis=1)
            kept = alive & (heaviest.sum(axis=1) == seats - 1) & (reach >= need)
            if (kept == alive).all():
                order = np.argsort(within[alive])
                return within[alive][order], shares[np.ix_(alive, alive)][np.ix_(order, order)]
            alive = kept

    def _grouped(self) -> GroupBounds:
        """``GroupBounds`` over the pool, built when first asked (one ``panel_bounds`` pass: its programme)."""
        if self._group_bounds is None:
            self._group_bounds = GroupBounds(self.inst, plain_programme(self.inst, self.pool))
            self.work += NARROW_WORK * self.cells(self.pool)
        return self._group_bounds

    def _listed(self, branches: _Branches, fixed: tuple[int, ...], within: np.ndarray, seats: int) -> np.ndarray:
        """Every panel of ``_branch``'s branch (the positions ``fixed`` of ``pool`` and ``seats`` others from ``within``)
        heavier than ``branches.above`` whose members are partners two by two (``_partners``): rows of positions."""
        local = _combinations(len(within), seats)
        rest = within[local]
        mates = self._partners(within)
        pair = np.stack([mates[int(a)][within] for a in within.tolist()])
        ok = np.ones(len(rest), dtype=bool)
        for i, j in itertools.combinations(range(seats), 2):
            ok &= pair[local[:, i], local[:, j]]
        rest = rest[ok]
        listed = np.hstack([np.tile(np.asarray(fixed, dtype=np.int64), (len(rest), 1)), rest])
        return np.asarray(listed[branches.w_pool[listed].sum(axis=1) > branches.above])

    def _partners(self, heavy: np.ndarray) -> dict[int, np.ndarray]:
        """For each position of ``heavy`` in ``pool``, a flag per position: whether ``pair_bounds`` leaves a panel
        holding both at the floor (every member of an acceptable panel holding them is flagged). Cached per call, and
        computed for ``SPLIT_ROWS`` positions at a time at least, charged as a ``panel_bounds`` pass each time. Read off
        ``GroupBounds``' tables (groups of one: the same numbers): on D002's level 43 at 10,000 mediators (3,322 of them)
        0.18 to 0.21 s of CPU per 1,000 positions, where ``pair_bounds`` took 0.27 to 0.41 s, its programme run each
        time (2026-12-08, load 3)."""
        cache = self._mates
        fresh = [h for h in heavy.tolist() if h not in cache]
        if fresh:
            asked = set(fresh)
            more = [i for i in range(len(self.pool)) if i not in cache and i not in asked]
            rows = np.asarray((fresh + more)[: max(len(fresh), SPLIT_ROWS)], dtype=np.int64)
            bound = self._grouped()(rows[:, None], np.arange(len(self.pool)))  # ``pair_bounds``, read off tables
            self.work += NARROW_WORK * self.cells(self.pool)
            for i, h in enumerate(rows.tolist()):
                flags = bound[i] >= self.threshold
                flags[h] = False
                cache[h] = flags
        return {h: cache[h] for h in heavy.tolist()}

    def _forced_search(
        self,
        w_pool: np.ndarray,
        fixed: tuple[int, ...],
        within: np.ndarray,
        above: int,
        restriction: Restriction | None,
    ) -> np.ndarray | None:
        """The search over the positions ``fixed`` and ``within`` of ``pool`` for the acceptable panels holding every
        one of ``fixed`` heavier than ``above`` (meeting ``restriction``): rows of instance indices, or None past
        ``NARROWED_CAP``. Each fixed member's weight is raised by ``lift``, more than any k members weigh, and the
        search looks for panels heavier than ``above`` plus that many lifts: a panel missing one of them is lighter.

        A call runs thousands of them (1,900 in each of D002's tail calls at 10,000 mediators, 7,000 in D011's), so the
        roster takes what each mediator brings on their own from the pool's ``_Members`` and reads the pool's clashes in
        place: replayed on 2026-12-08 (load 3.3-4.0), D002's tail calls took 13.1 to 15.3 s of CPU against 16.6 to 20.5
        on the code before (d26293b, before the peeling), D011's 15.3 and 21.0 against 43.4 and 39.3, with the same branches, searches and answers."""
        forced = np.asarray(fixed, dtype=np.int64)
        sub = np.unique(np.concatenate([forced, within]))
        weight = w_pool[sub].copy()
        lift = int(np.sort(weight)[::-1][: self.inst.k].sum()) + 1
        weight[(sub[:, None] == forced).any(axis=1)] += lift
        members = self._pool_members().take(sub)
        # The pool's clashes, at the members' rows (a copy of them cost about 0.1 ms of CPU a search).
        roster = _roster(self.inst, members.people, weight, self.clash, members, clash_rows=sub)
        seats = self._searched(roster, NARROWED_CAP, above + lift * len(fixed), LAGRANGE_SCAN)
        if seats is None:
            return None
        if not len(seats):
            return np.zeros((0, self.inst.k), dtype=np.int64)
        rows = self._allowed(np.asarray(roster.people[seats]), restriction)
        return np.asarray(rows[w_pool[sub[np.searchsorted(members.people, rows)]].sum(axis=1) > above])

    def _counted(self, w_pool: np.ndarray, restriction: Restriction | None) -> np.ndarray | None:
        """The search of ``best`` on the pool narrowed by counting weights (``COUNT_ROOM``): rows of instance indices,
        a superset of the acceptable panels heavier than the heaviest known one (meeting ``restriction``) and among
        them all those of the largest weight (none when no acceptable panel is heavier: proven); None when the
        weights are too large to count or the search passes ``NARROWED_CAP``.

        With ``g`` the weights' greatest common divisor, a panel heavier than ``above`` weighs at least ``goal =
        above // g + 1`` units of ``g``; one holding a mediator of ``u`` units has others of ``goal - u`` units or
        more. ``panel_bounds`` with each mediator flagged by their units (``least``, each with that ``need``) bounds
        the objective of those panels: a mediator below the floor is in none, and the search looks at the others
        only (often none of positive weight, which proves ``above`` the heaviest). The later leximin levels weigh
        the fixed mediators 2 and the free ones 1: panels hold three or more of them, so pair pricing never applies,
        but the best known panel is nearly always the heaviest."""
        positive = w_pool[w_pool > 0]
        g = int(np.gcd.reduce(positive)) if len(positive) else 0
        if not g or int(positive.max()) // g >= COUNT_ROOM:
            return None  # no weight, or the largest alone takes COUNT_ROOM units: a goal past it is too many
        n = len(self.inst_of)
        self._climbed(w_pool, -1, restriction)
        allowed = self._allowed_known(n, restriction)
        weights = np.zeros(n, dtype=np.int64)
        weights[self.agent[np.asarray(self.pool, dtype=np.int64)]] = w_pool
        above = int((self.incidence(n) @ weights)[allowed].max()) if allowed.any() else -1
        if above < 0:
            return None
        units = w_pool // g
        goal = above // g + 1
        if goal <= int(units.max()) or goal > COUNT_ROOM:
            return None  # a mediator alone may outweigh ``above``, or too many counts for the programme
        self.counted += 1
        return self._counted_heavier(w_pool, units, goal, above, restriction, (1, g), COUNT_ROOM)

    def _scaled(self, w_pool: np.ndarray, restriction: Restriction | None) -> np.ndarray | None:
        """The count narrowing of ``_counted`` for weights it cannot count (the largest, or the heaviest known panel,
        past ``COUNT_ROOM`` units of their common divisor ``g``): each weight times a factor ``c`` rounded up, the goal
        within ``SCALE_ROOM`` (``_scaling``). Rows of instance indices, a superset of the
        acceptable panels heavier than the heaviest known one (meeting ``restriction``) and among them all those of the
        largest weight (none when no acceptable panel is heavier: proven); None outside that case (weights of more than
        ``SCALE_TOP`` units of ``g``, a mediator alone outweighing the heaviest known panel) or when the search passes
        ``NARROWED_CAP``.

        Exact because rounding up only adds: a panel heavier than ``above`` has ``sum ceil(c w) >= c sum w > c above``,
        so at least ``goal = floor(c above) + 1`` units; ``panel_bounds`` with each mediator flagged by their
        units (``least``, each needing ``goal`` less their own) then bounds the objective of every such panel holding
        them, and the search looks only at those it leaves at the floor or above. The later leximin levels' duals weigh
        the fixed mediators up to 17 to 30 and the few free strong ones 0 to 4 (D002 at 10,000 mediators, levels 29
        and 30): past the plain count's room, where the Lagrangian narrowing left everyone and CP-SAT answered at 12 to
        13 units a call, often unproven."""
        positive = w_pool[w_pool > 0]
        if not len(positive) or (w_pool < 0).any():
            return None
        g = int(np.gcd.reduce(positive))
        top = int(positive.max()) // g
        if top > SCALE_TOP:
            return None
        n = len(self.inst_of)
        weights = np.zeros(n, dtype=np.int64)
        weights[self.agent[np.asarray(self.pool, dtype=np.int64)]] = w_pool
        allowed = self._allowed_known(n, restriction)
        above = int((self.incidence(n) @ weights)[allowed].max()) if allowed.any() else -1
        if above < 0 or (top < COUNT_ROOM and above // g < COUNT_ROOM) or _scaling(w_pool, g, above) is None:
            return None  # nothing known to beat, the plain count's case (``_counted``), or a mediator alone may outweigh it
        # Climbed only when it counts (a climb changes the known panels, so the later calls' columns).
        self._climbed(w_pool, -1, restriction)
        allowed = self._allowed_known(n, restriction)
        above = int((self.incidence(n) @ weights)[allowed].max())
        scaling = _scaling(w_pool, g, above)
        if scaling is None:
            return None
        units, goal = scaling
        self.scaled += 1
        # No ceiling descent here (not measured in the tail: there a pass near SCALE_ROOM takes 4 to 7 s of CPU on D002).
        return self._counted_heavier(w_pool, units, goal, above, restriction)

    def _counted_heavier(
        self,
        w_pool: np.ndarray,
        units: np.ndarray,
        goal: int,
        above: int,
        restriction: Restriction | None,
        factor: tuple[int, int] = (1, 1),
        room: int = 0,
    ) -> np.ndarray | None:
        """The count narrowing's pass, shared by ``_counted`` and ``_scaled``: ``panel_bounds`` with each mediator
        flagged by their ``units`` (each needing ``goal`` less their own) leaves below the floor everyone in no panel
        of ``goal`` units; the search over the others returns the rows of instance indices heavier than ``above``
        under ``w_pool`` (meeting ``restriction``), none when nobody of positive units is left (proven). When that
        search passes ``NARROWED_CAP``, the ceiling descent (``_ceiling``, with the units' ``factor`` and goals up to
        ``room``: the plain count's, ``_counted``; ``room`` 0, none) answers if it can, otherwise None."""
        kept = self._count_pass(w_pool, units, goal)
        if kept is None:
            return np.zeros((0, self.inst.k), dtype=np.int64)
        self._count_kept = (w_pool, kept)
        rows = self._count_search(w_pool, kept, above, restriction)
        if rows is None:
            return self._ceiling(w_pool, units, goal, above, restriction, factor, room, kept)
        return rows

    def _exact(self, w_pool: np.ndarray, restriction: Restriction | None) -> np.ndarray | None:
        """The count narrowing with the weights counted exactly (units of their common divisor ``g``, not rounded), for
        weights past the plain count's room (``_counted``) whose scaled count (``_scaled``) failed or did not apply: rows
        of instance indices, a superset of the acceptable panels heavier than the heaviest known one (meeting
        ``restriction``) and among them all those of the largest weight (none when none is heavier: proven); None when
        the goal passes ``EXACT_ROOM``, a mediator alone may outweigh the heaviest known panel, the plain count had the
        same pass (within ``COUNT_ROOM``), or the searches pass their cap and no ceiling is proven or reached. After a
        scaled count whose search passed its cap it runs before the Lagrangian narrowing (``_heavier``), over what that
        count kept.

        Exact as ``_counted`` is: a panel heavier than ``above`` holds ``goal = above // g + 1`` units or more, so the
        pass (``_exact_pass``) keeps all its members. It runs over the mediators the last count pass for these weights
        kept (``_count_kept``, a superset of those members: that pass's goal was reached by every panel heavier than
        the heaviest known one then, and the heaviest known one has not become lighter since), otherwise over the whole
        pool. When the search at ``goal`` passes its cap, the pass and search at ``goal + 1`` up to ``EXACT_CEILING_STEPS``
        more goals (``CEILING_STEPS`` past ``EXACT_CEILING_GOAL``) over the mediators kept find the heavier panels or
        prove a ceiling (as ``_ceiling``), and a panel weighing it comes from ``_ceiling_witness``. The rounding of the scaled count is what fails in the tail of the
        leximin levels: the fixed mediators weigh up to 18 to 109 and often sit two to a panel, each pair within a unit
        or two of the goal once rounded."""
        positive = w_pool[w_pool > 0]
        if not len(positive) or (w_pool < 0).any():
            return None
        g = int(np.gcd.reduce(positive))
        units = w_pool // g
        n = len(self.inst_of)
        weights = np.zeros(n, dtype=np.int64)
        weights[self.agent[np.asarray(self.pool, dtype=np.int64)]] = w_pool
        allowed = self._allowed_known(n, restriction)
        if not allowed.any():
            return None
        above = int((self.incidence(n) @ weights)[allowed].max())
        goal = above // g + 1
        if goal <= int(units.max()) or goal > EXACT_ROOM:
            return None
        if int(units.max()) < COUNT_ROOM and goal <= COUNT_ROOM:
            return None  # the plain count's pass, the same (``_counted``, with its own ceiling descent)
        within = np.arange(len(self.pool))
        if self._count_kept is not None and self._count_kept[0] is w_pool:
            within = self._count_kept[1]
        self.exact += 1
        kept = self._exact_pass(units, goal, within)
        if kept is None:
            return np.zeros((0, self.inst.k), dtype=np.int64)
        rows = self._count_search(w_pool, kept, above, restriction)
        if rows is not None:
            return rows
        return self._climb(
            w_pool,
            range(
                goal + 1,
                min(goal + (EXACT_CEILING_STEPS if goal <= EXACT_CEILING_GOAL else CEILING_STEPS), EXACT_ROOM) + 1,
            ),
            lambda higher: (higher - 1) * g,  # a panel heavier than this holds ``higher`` units or more
            lambda higher, within: self._exact_pass(units, higher, within),
            above,
            kept,
            restriction,
        )

    def _exact_pass(self, units: np.ndarray, goal: int, within: np.ndarray) -> np.ndarray | None:
        """``_count_pass`` over the mediators at the positions ``within`` of ``pool`` only, who hold every member of
        every acceptable panel of ``goal`` units or more (so ``panel_bounds`` may take the others from them alone):
        the positions it leaves at the floor or above, None when fewer than k or none of positive units."""
        narrow = [self.pool[int(i)] for i in within]
        flags = units[within]
        bound = panel_bounds(self.inst, narrow, flags, goal, least=True, need=goal - flags)
        self.work += COUNT_WORK * (goal + 1) * programme_cells(self.inst, narrow, flags) / NARROW_CELLS
        kept = within[bound >= self.threshold]
        if len(kept) < self.inst.k or not (units[kept] > 0).any():
            return None
        return np.asarray(kept)

    def _count_pass(self, w_pool: np.ndarray, units: np.ndarray, goal: int) -> np.ndarray | None:
        """The positions in ``pool`` that ``panel_bounds`` with each mediator flagged by their ``units`` (each needing
        ``goal`` less their own) leaves at the floor or above: every member of every acceptable panel of ``goal`` units
        or more; None when fewer than k are left or none of positive units (proven: no such panel)."""
        bound = panel_bounds(self.inst, self.pool, units, goal, least=True, need=goal - units)
        self.work += COUNT_WORK * (goal + 1) * programme_cells(self.inst, self.pool, units) / NARROW_CELLS
        kept = np.flatnonzero(bound >= self.threshold)
        if len(kept) < self.inst.k or not (units[kept] > 0).any():
            return None
        return kept

    def _count_search(
        self, w_pool: np.ndarray, kept: np.ndarray, above: int, restriction: Restriction | None
    ) -> np.ndarray | None:
        """The search over the positions ``kept`` of ``pool``: rows of instance indices of the acceptable panels among
        them heavier than ``above`` (meeting ``restriction``), or None past ``NARROWED_CAP``."""
        narrow = [self.pool[int(i)] for i in kept]
        roster = _roster(self.inst, narrow, w_pool[kept], self.clash[np.ix_(kept, kept)])
        scan = APART_SCAN if self.paired is None and self.apart is not None else LAGRANGE_SCAN
        seats = self._searched(roster, NARROWED_CAP, above, scan, kept)
        if seats is None:
            return None
        rows = self._allowed(np.asarray(roster.people[seats]), restriction)
        return np.asarray(rows[w_pool[np.searchsorted(self.pool, rows)].sum(axis=1) > above])

    def _ceiling(
        self,
        w_pool: np.ndarray,
        units: np.ndarray,
        goal: int,
        above: int,
        restriction: Restriction | None,
        factor: tuple[int, int],
        room: int,
        kept: np.ndarray,
    ) -> np.ndarray | None:
        """The count narrowing when its search at ``goal`` passed its cap (``kept``: that pass's mediators): the same
        pass and search at higher goals, ``goal + 1`` up to ``CEILING_STEPS`` more (within ``room``). Rows of instance
        indices among which are the heaviest acceptable panels (meeting ``restriction``), or None.

        The units are each weight times ``num / den`` (``factor``) rounded up, so a panel heavier than ``a = (G - 1)
        den // num`` holds at least ``G`` units. At goal ``G`` the pass keeps every member of every such panel and the
        search over them finds them all: if it finds some, the heaviest of them is the heaviest of all; if it finds
        none (or the pass keeps nobody of positive units), no acceptable panel weighs more than ``a``: a proven
        ceiling, and a panel weighing ``a`` is the heaviest. ``_reaching`` looks for one among the few heaviest of the
        last goal's mediators (those of the first goal when the ceiling is proven at once). A higher goal keeps fewer
        and its search prunes more: on D003 at 10,000 mediators the later levels' duals weigh 1 and 2, the heaviest
        known panel 2, and the search at goal 3 passed its cap, after which the Lagrangian narrowing failed too and
        CP-SAT answered 3, at about 5 units a call. A panel weighing a proven ceiling comes from
        ``_ceiling_witness``."""
        num, den = factor
        return self._climb(
            w_pool,
            range(goal + 1, min(goal + CEILING_STEPS, room) + 1),
            lambda higher: (higher - 1) * den // num,
            lambda higher, _: self._count_pass(w_pool, units, higher),
            above,
            kept,
            restriction,
        )

    def _climb(
        self,
        w_pool: np.ndarray,
        goals: range,
        lighter: Callable[[int], int],
        count: Callable[[int, np.ndarray], np.ndarray | None],
        above: int,
        kept: np.ndarray,
        restriction: Restriction | None,
    ) -> np.ndarray | None:
        """The ceiling descent that ``_ceiling`` and ``_exact`` share, once the search over ``kept`` passed its cap: for
        each goal ``G`` of ``goals`` whose ``a = lighter(G)`` (a panel heavier than ``a`` holds ``G`` units or more)
        passes ``above``, the count pass ``count(G, kept)`` and the search over what it keeps. Rows heavier than ``a``
        when it finds some (the heaviest among them); a panel weighing the proven ceiling ``a`` (``_ceiling_witness``)
        when it finds none or the pass keeps nobody; the next goal over the fewer mediators kept when the search passes
        its cap again; None when the goals run out."""
        for goal in goals:
            a = lighter(goal)
            if a <= above:
                continue
            higher = count(goal, kept)
            if higher is not None:
                rows = self._count_search(w_pool, higher, a, restriction)
                if rows is None:
                    kept = higher
                    continue
                if len(rows):
                    return rows
            return self._ceiling_witness(w_pool, kept, a, restriction)
        return None

    def _ceiling_witness(
        self, w_pool: np.ndarray, kept: np.ndarray, ceiling: int, restriction: Restriction | None
    ) -> np.ndarray | None:
        """Acceptable panels (rows of instance indices, meeting ``restriction``) weighing ``ceiling``, the most any
        can (proven by ``_ceiling``), or None when none is found: first greedy panels holding two weighted mediators
        of ``kept`` (``_started``: each with ``PAIR_TOP`` weighted partners of best value and ``PAIR_SPREAD`` spread,
        no third weighted member; ``WITNESS_MOVERS`` at a time, best-valued first), then the search among the few heaviest of ``kept`` (``_reaching``),
        then the truncated search over those most likely to reach it (``_witness_search``). On D003 at
        10,000 mediators (weights 1 and 2, a ceiling of 3 proven in 0.4 s of CPU) ``_reaching`` found nothing, CP-SAT
        took 3 deterministic seconds to find and prove 3 (8.6 to find a panel of 3 when asked only that), and the
        greedy pairs found 12 panels of 3 in 0.3 s."""
        weighted = self._by_value(kept[w_pool[kept] > 0])
        flags = np.zeros(len(self.pool), dtype=bool)
        flags[weighted] = True
        for lo in range(0, len(weighted), WITNESS_MOVERS):
            rows = self._started(weighted[lo : lo + WITNESS_MOVERS], weighted, PAIR_TOP, PAIR_SPREAD, flags, 2)
            if restriction is not None and len(rows):
                extra = np.asarray(restriction.weights, dtype=np.int64)[self.agent[rows]].sum(axis=1)
                rows = rows[extra >= restriction.at_least]
            if len(rows):
                rows = rows[w_pool[np.searchsorted(self.pool, rows)].sum(axis=1) >= ceiling]
                if len(rows):
                    return np.asarray(rows)
        loose = np.full(len(self.pool), np.iinfo(np.int64).max // 2, dtype=np.int64)
        reached = self._reaching(kept, loose, w_pool, restriction, ceiling)
        last = self._unwitnessed
        if reached is None and (last is None or last[0] is not w_pool or ceiling < last[2]):
            self._unwitnessed = (w_pool, kept, ceiling)  # left to ``_witnessed``, once every other narrowing failed
        return reached

    def _witnessed(self, w_pool: np.ndarray, restriction: Restriction | None) -> np.ndarray | None:
        """Panels at the lowest ceiling this call proved (``_ceiling_witness`` found none there), by ``_witness_search``,
        once every narrowing has failed (near the end of ``_heavier``, before ``_split`` and CP-SAT): None when there is
        no such ceiling or no panel is found. After the other narrowings, so that a call another narrowing answers keeps its answer and all its panels (on D003 at 10,000 mediators a
        search holding one of ``paired`` found every panel at the ceiling, 4,999 columns, where this search found 12 and
        the fourth level took 20 pricing calls instead of 6)."""
        last, self._unwitnessed = self._unwitnessed, None
        if last is None or last[0] is not w_pool:
            return None
        return self._witness_search(last[1], w_pool, restriction, last[2])

    def _witness_search(
        self, kept: np.ndarray, w_pool: np.ndarray, restriction: Restriction | None, ceiling: int
    ) -> np.ndarray | None:
        """Acceptable panels (rows of instance indices, meeting ``restriction``) weighing ``ceiling``, the most any can
        (proven by the caller), or None when none is found: the bounded search over ``kept`` (every member of every
        panel at the ceiling) cut to its first ``NARROWED_CAP`` partial panels at each depth (``_search``'s
        ``truncate``; told of ``paired`` as ``_searched`` is), first over the ``WITNESS_SIZES`` of positive weight most
        likely to reach it and those of weight 0, then over all of ``kept``. Most likely: of largest bound by the count
        pass at the ceiling (``panel_bounds`` with each flagged by their units of the weights' common divisor, as
        ``_count_pass``; by value when that goal passes ``COUNT_ROOM``), then the heaviest weight's ``WITNESS_CHUNK`` at a
        time (most likely first) beside the lighter weights' ``WITNESS_SIZES[-1]`` most likely (D003's seventh level: a
        panel of 3 held the 217th of weight 2 by bound, the only panel of 3 CP-SAT found).

        The search over ``kept`` passed its cap because many panels reach the ceiling, but the roster's order (heaviest
        first) puts few of them among its first partial panels. On D003 at 10,000 mediators (levels 6 to 10: weights 1
        and 2, a ceiling of 3 proven over about 1,250 to 1,350 mediators, 470 to 650 of weight 2, 520 to 620 of 1, 160
        to 200 of 0; or weights 2, 3, 4 and 6 and a ceiling of 8) the greedy pairs and ``_reaching`` found nothing (its
        heaviest are all of weight 2, no two of whom share a panel), the Lagrangian narrowing failed and CP-SAT found
        and proved the ceiling, 6 to 7 units and 6 s of CPU a call (53 calls by level 10). The panels it found hold
        three of the strongest of weight 0 and one of weight 1 and 2 each, those of weight 1 ranked 120 to 360th of
        their weight by value but among the 64 best by their bound."""
        inst, k = self.inst, self.inst.k
        weighted = kept[w_pool[kept] > 0]
        if len(kept) < k or not len(weighted):
            return None
        g = int(np.gcd.reduce(w_pool[weighted]))
        units, goal = w_pool // g, (ceiling - 1) // g + 1
        if goal <= COUNT_ROOM:
            narrow = [self.pool[int(i)] for i in kept]
            bound = panel_bounds(inst, narrow, units[kept], goal, least=True, need=goal - units[kept])
            self.work += COUNT_WORK * (goal + 1) * programme_cells(inst, narrow, units[kept]) / NARROW_CELLS
            at = np.searchsorted(kept, weighted)
            likely = weighted[np.lexsort((weighted, -bound[at]))]
        else:
            likely = self._by_value(weighted)
        light = kept[w_pool[kept] == 0]
        # The most likely of each positive weight: a panel at the ceiling holds several weights (one of 2 and one of 1).
        classes = [likely[w_pool[likely] == v] for v in np.unique(w_pool[likely])]
        subs = [
            np.union1d(np.concatenate([c[:size] for c in classes]), light)
            for size in WITNESS_SIZES
            if any(size < len(c) for c in classes)
        ]
        if len(classes) > 1:
            # The heaviest weight's most likely in chunks, beside the lighter weights' most likely: a panel at the
            # ceiling may need one of them ranked past the largest size (the roster's order puts them first).
            lighter = np.concatenate([c[: WITNESS_SIZES[-1]] for c in classes[:-1]])
            top = classes[-1]
            subs += [
                np.union1d(np.union1d(top[lo : lo + WITNESS_CHUNK], lighter), light)
                for lo in range(0, len(top), WITNESS_CHUNK)
            ]
        for sub in [*subs, kept]:
            roster = _roster(inst, [self.pool[int(i)] for i in sub], w_pool[sub], self.clash[np.ix_(sub, sub)])
            seats = self._searched(roster, NARROWED_CAP, ceiling - 1, kept=sub, truncate=True)
            if seats is not None and len(seats):
                rows = self._allowed(np.asarray(roster.people[seats]), restriction)
                rows = np.asarray(rows[w_pool[np.searchsorted(self.pool, rows)].sum(axis=1) >= ceiling])
                if len(rows):
                    return rows
        return None

    def _climbed(self, w_pool: np.ndarray, above: int, restriction: Restriction | None) -> int:
        """A heavier best known panel: ``climb`` from the ``CLIMB_STARTS`` heaviest known panels (meeting
        ``restriction``), every panel reached added to ``known``; the weight of the heaviest known panel that
        meets ``restriction`` after that (at least ``above``). The narrowing proves more the heavier it is:
        with the first leximin level's known panels, chosen for other weights, it is far below the optimum."""
        n = len(self.inst_of)
        y = np.zeros(n)
        y[self.agent[np.asarray(self.pool, dtype=np.int64)]] = w_pool
        active = self.agent[np.asarray(self.pool, dtype=np.int64)]
        ranked = active[np.argsort(-y[active], kind="stable")]
        ranked = ranked[y[ranked] > 0][:SWAP_CANDIDATES]
        weights = np.round(y).astype(np.int64)
        allowed = np.flatnonzero(self._allowed_known(n, restriction))
        value = self.incidence(n)[allowed] @ weights
        starts = allowed[np.lexsort((allowed, -value))][:CLIMB_STARTS]
        paths = [panel for r in starts for panel in self.climb(y, ranked, tuple(int(a) for a in self.known[r]))]
        if not paths:
            return above
        self._add(self.pool_rows(np.asarray(paths, dtype=np.int64)))
        allowed_now = self._allowed_known(n, restriction)
        return max(above, int((self.incidence(n) @ weights)[allowed_now].max()))

    def _whole(self, w_pool: np.ndarray, above: int) -> np.ndarray | None:
        """The search on the whole pool (``_search`` with ``above``), None past ``PRICING_CAP``."""
        inst = self.inst
        roster = self._pool_roster(w_pool)
        seats = self._searched(roster, PRICING_CAP, above)
        if seats is None:
            return None
        return _keep(inst, score_panels(inst, np.sort(roster.people[seats], axis=1)), self.threshold, self.locks)

    def _lagrangian(self, w_pool: np.ndarray, above: int, restriction: Restriction | None) -> np.ndarray | None:
        """The search of ``best`` on pools narrowed by ``lagrangian_bounds``: rows of instance indices, a superset
        of the acceptable panels heavier than ``above`` that meet ``restriction``, and among them all those of
        the largest weight (none when no acceptable panel is heavier: proven); None when there is no known panel
        to beat or a search passes ``NARROWED_CAP``.

        With ``W`` the mediators' bounds, every acceptable panel heavier than ``a`` lies among the mediators with
        ``W > a``. The search with ``above = a`` on them (``_search``) finds them all: if it finds any, the
        heaviest of them is the heaviest of all; if not, none weighs more than ``a``, and a lower ``a`` (about
        four times as many mediators) is tried, down to ``above``. A search past its cap hands over to
        ``_reaching`` with that proven ceiling (the last ``a`` tried)."""
        if above < 0:
            return None
        inst, k = self.inst, self.inst.k
        nothing = np.zeros((0, k), dtype=np.int64)
        above = self._climbed(w_pool, above, restriction)
        bound, passes = lagrangian_bounds(inst, self.pool, w_pool, self.threshold, above=above)
        self.work += NARROW_WORK * passes * self.cells(self.pool)
        self.lagrange += 1
        ranked = np.sort(bound)[::-1]
        size = LAGRANGE_FIRST
        ceiling: int | None = None  # proven: no acceptable panel meeting ``restriction`` weighs more
        while True:
            a = max(above, int(ranked[size]) if size < len(ranked) else above)
            kept = self._tightened(np.flatnonzero(bound > a), w_pool, a)
            if len(kept) >= k:
                narrow = [self.pool[int(i)] for i in kept]
                roster = _roster(inst, narrow, w_pool[kept], self.clash[np.ix_(kept, kept)])
                seats = self._searched(roster, NARROWED_CAP, a, LAGRANGE_SCAN, kept)
                if seats is None:
                    return self._reaching(kept, bound, w_pool, restriction, ceiling)
                rows = self._allowed(np.asarray(roster.people[seats]), restriction)
                rows = np.asarray(rows[w_pool[np.searchsorted(self.pool, rows)].sum(axis=1) > a])
                if len(rows):
                    return rows
            if a <= above:
                return nothing
            ceiling = a
            size = max(1, 4 * size)

    def _reaching(
        self,
        kept: np.ndarray,
        bound: np.ndarray,
        w_pool: np.ndarray,
        restriction: Restriction | None,
        ceiling: int | None = None,
    ) -> np.ndarray | None:
        """Acceptable panels (rows of instance indices, meeting ``restriction``) that weigh the most any can, when
        some are found among the ``REACH_SIZES`` heaviest of ``kept`` and those of ``kept`` of weight 0 (a panel
        as heavy as the few heaviest allow may need partners of no weight), otherwise None. ``kept`` holds every
        member of every acceptable panel heavier than some ``a``, when there is one; each member of the
        heaviest has a bound (``bound``) at least its weight, so it weighs at most ``top``, the k-th largest
        bound in ``kept``, or ``ceiling`` when that is less (proven by ``_lagrangian``: no acceptable panel meeting
        ``restriction`` weighs more): a panel weighing ``top`` is the heaviest, and the search for those among a
        few mediators is small."""
        inst, k = self.inst, self.inst.k
        if len(kept) < k:
            return None
        top = int(np.sort(bound[kept])[-k])
        if ceiling is not None:
            top = min(top, ceiling)
        by_weight = kept[np.lexsort((kept, -w_pool[kept]))]
        light = kept[w_pool[kept] == 0]
        for size in REACH_SIZES:
            sub = np.union1d(by_weight[:size], light)
            roster = _roster(inst, [self.pool[int(i)] for i in sub], w_pool[sub], self.clash[np.ix_(sub, sub)])
            seats = self._searched(roster, NARROWED_CAP, top - 1)
            if seats is not None:
                rows = self._allowed(np.asarray(roster.people[seats]), restriction)
                rows = np.asarray(rows[w_pool[np.searchsorted(self.pool, rows)].sum(axis=1) >= top])
                if len(rows):
                    return rows
            if size >= len(kept):
                break
        return None

    def _tightened(self, kept: np.ndarray, w_pool: np.ndarray, a: int) -> np.ndarray:
        """``kept`` (positions in ``pool`` of every member of every acceptable panel heavier than ``a``) less
        those whose Lagrangian bound over ``kept`` alone is at most ``a``: such a panel has all its members in
        ``kept``, so the bound may take the others from there only. Repeated while it removes somebody (at
        most ``TIGHTEN_ROUNDS`` times)."""
        for _ in range(TIGHTEN_ROUNDS):
            if len(kept) < self.inst.k:
                break
            narrow = [self.pool[int(i)] for i in kept]
            bound, passes = lagrangian_bounds(self.inst, narrow, w_pool[kept], self.threshold, above=a)
            self.work += NARROW_WORK * passes * self.cells(narrow)
            left = kept[bound > a]
            if len(left) == len(kept):
                break
            kept = left
        return kept

    def _full_weight(self, w_pool: np.ndarray) -> bool:
        """Greedy panels (``_greedy``) among the mediators of largest weight, added to ``known`` when
        acceptable: one of them weighs the most any panel can, so it ends the search at once (the usual
        case in the first leximin level, where most mediators weigh the same). Whether any was added."""
        k, top = self.inst.k, int(w_pool.max()) if len(w_pool) else 0
        places = np.flatnonzero(w_pool == top) if top > 0 else np.zeros(0, dtype=np.int64)
        heavy = [self.pool[int(i)] for i in places]
        if len(heavy) < max(k, FULL_WEIGHT_FROM):
            return False  # few heavy mediators: the search is small anyway
        before = len(self.known)
        members = self._greedy(heavy, places=places)
        if len(members):
            self._add(_keep(self.inst, score_panels(self.inst, members), self.threshold, self.locks))
        return len(self.known) > before

    def _narrowed(self, w_pool: np.ndarray, above: int, restriction: Restriction | None) -> np.ndarray | None:
        """The search of ``best`` past ``PRICING_CAP`` on the whole pool, level by level on pools narrowed by
        ``panel_bounds``: rows of instance indices, a superset of the acceptable panels of largest weight when
        that weight passes ``above`` (none otherwise); None when a narrowed search passes the cap too, or a
        level leaves too much room to narrow.

        With ``t`` the largest weight, a panel heavier than ``max(above, (n - 1) t)`` holds at least ``n``
        members of positive weight, so at most ``k - n`` of weight 0: a mediator whose bound with that room is
        below the floor is in no such acceptable panel, and the search looks at the others only. From
        ``n = k`` down: the first level that finds such a panel has found the heaviest (each panel with fewer
        members of positive weight weighs at most ``(n - 1) t``); a level that finds none proves every panel
        weighs at most ``max(above, (n - 1) t)``, and the next level goes on from there. With a ``restriction``
        the same holds for the panels that meet it (the others are dropped at each level).

        Greedy panels come first at each level (on the whole pool, then on the narrowed one): one that weighs
        ``n t`` (the most the levels above leave possible) ends the search. A level proven empty is
        remembered with its weighted mediators (``impossible``): it stays empty for any subset of them."""
        inst, k = self.inst, self.inst.k
        top = int(w_pool.max()) if len(w_pool) else 0
        nothing = np.zeros((0, k), dtype=np.int64)
        weighted = w_pool > 0
        for need in range(k, -1, -1):  # need 0: panels of weight 0, heavier than ``above`` only when it is -1
            if need * top <= above:
                return nothing  # no panel is heavier than ``above``
            if k - need > NARROW_ROOM:
                return None
            if any(n <= need and not (weighted & ~mask).any() for mask, n in self.impossible):
                continue
            goal = max(above + 1, need * top)
            rows = self._allowed(self._greedy(self.pool, ~weighted, k - need), restriction)
            if len(rows) and int(w_pool[np.searchsorted(self.pool, rows)].sum(axis=1).max()) >= goal:
                return rows
            keep = panel_bounds(inst, self.pool, ~weighted, k - need) >= self.threshold
            self.work += NARROW_WORK * (k - need + 1) * self.cells(self.pool)
            if not (keep & weighted).any():
                self.impossible.append((weighted, need))
                continue
            self.narrowed += 1
            kept = np.flatnonzero(keep)
            narrow = [self.pool[int(i)] for i in kept]
            rows = self._allowed(self._greedy(narrow, ~weighted[kept], k - need, kept), restriction)
            if len(rows) and int(w_pool[np.searchsorted(self.pool, rows)].sum(axis=1).max()) >= goal:
                return rows
            roster = _roster(inst, narrow, w_pool[kept], self.clash[np.ix_(kept, kept)])
            seats = self._searched(roster, NARROWED_CAP, max(above, (need - 1) * top))
            if seats is None:
                return None
            rows = self._allowed(np.asarray(roster.people[seats]), restriction)
            if len(rows):
                return rows
        return nothing

    def _allowed(self, members: np.ndarray, restriction: Restriction | None) -> np.ndarray:
        """The panels (rows of instance indices) the kernel's scorer keeps that meet ``restriction``."""
        rows = _keep(self.inst, score_panels(self.inst, np.sort(members, axis=1)), self.threshold, self.locks)
        if restriction is not None:
            extra = np.asarray(restriction.weights, dtype=np.int64)[self.agent[rows]].sum(axis=1)
            rows = rows[extra >= restriction.at_least]
        return rows

    def climb(self, y: np.ndarray, ranked: np.ndarray, start: Panel) -> list[Panel]:
        """Steepest ascent by single swaps from ``start`` (agents) into ``ranked``: the panels after each swap."""
        search, k = self, self.inst.k
        members = np.sort(np.asarray(start, dtype=np.int64))
        path: list[Panel] = []
        for _ in range(SWAP_ROUNDS):
            weight = float(y[members].sum())
            outside = ranked[~np.isin(ranked, members)]
            outside = outside[y[outside] > y[members].min() + 1e-12]
            if len(outside) == 0:
                break
            rows = np.repeat(members[None, :], k * len(outside), axis=0)
            rows[np.arange(len(rows)), np.repeat(np.arange(k), len(outside))] = np.tile(outside, k)
            rows = rows[y[rows].sum(axis=1) > weight + 1e-12]
            if len(rows) == 0:
                break
            inst_rows = np.sort(search.pool_rows(rows), axis=1)
            kept = _keep(self.inst, score_panels(self.inst, inst_rows), self.threshold, self.locks)
            if len(kept) == 0:
                break
            agents = np.sort(search.agent[kept], axis=1)
            agents = agents[np.lexsort(agents.T[::-1])]  # canonical order: the first heaviest wins ties
            members = agents[int(np.argmax(y[agents].sum(axis=1)))]
            path.append(tuple(int(a) for a in members))
        return path

    def _searched(
        self,
        roster: _Roster,
        cap: int,
        above: int,
        scan: int = 0,
        kept: np.ndarray | None = None,
        truncate: bool = False,
    ) -> np.ndarray | None:
        """``_search`` with ``above`` (and ``truncate``), its partial panels charged to the work budget
        (``SEARCH_WORK``). With ``kept`` (the positions in ``pool`` of ``roster``'s mediators), once the pairing has
        made every acceptable panel holding two of ``paired`` known, the search holds at most one of them
        (``_single_flags``)."""
        meter = [0]
        single = None if kept is None else self._single_flags(roster, kept)
        seats = _search(
            self.inst,
            roster,
            self.threshold,
            cap,
            above=above,
            scan=scan,
            meter=meter,
            single=single,
            truncate=truncate,
        )
        self.work += SEARCH_WORK * meter[0] / 1e6
        return seats

    def _single_flags(self, roster: _Roster, kept: np.ndarray) -> np.ndarray | None:
        """The flags of ``paired`` per position of ``roster`` (over the mediators of ``pool`` at positions ``kept``), for
        a search of the panels heavier than the heaviest known one meeting a restriction (``above`` or more): every
        acceptable panel holding two of ``paired`` is known (``_paired``) and none holds three, so such a panel holds
        one at most (a known one meeting the restriction weighs ``above`` at most; one not meeting it is not wanted).
        Before the pairing, the flags of ``apart`` (the mediators the first level's proof set apart): no acceptable
        panel holds two of them at all. None before both."""
        if self.paired is not None and self.paired.any():
            return np.asarray(self.paired[kept][roster.clash_pos])
        if self.apart is None or not len(self.apart):
            return None
        flags = np.zeros(len(self.pool), dtype=bool)
        flags[self.apart] = True
        return np.asarray(flags[kept][roster.clash_pos])

    def _greedy(
        self, pool: list[int], outside: np.ndarray | None = None, room: int = 0, places: np.ndarray | None = None
    ) -> np.ndarray:
        """``_greedy``, charged to the work budget (``GREEDY_WORK``); ``places``: the positions of ``pool`` in the
        oracle's pool, whose nationality clashes are then taken from there (``pool`` itself needs none)."""
        self.work += GREEDY_WORK * len(pool) / NARROW_WORK_SIZE
        clash = self.clash if pool is self.pool else None if places is None else self.clash[np.ix_(places, places)]
        return _greedy(self.inst, pool, outside, room, clash=clash)

    def first_level_bound(self, free: Sequence[int], stop: Callable[[], bool] = lambda: False) -> Fraction | None:
        """A proven upper bound on the least chance of ``free`` (agents) in any lottery: ``first_level_proof``'s
        bound (None for panels of fewer than two members or no agent)."""
        proof = self.first_level_proof(free, stop)
        if proof is None:
            return None
        weights, best = proof
        return Fraction(best, int(weights[np.asarray(list(free), dtype=np.int64)].sum()))

    def first_level_proof(
        self, free: Sequence[int], stop: Callable[[], bool] = lambda: False
    ) -> tuple[np.ndarray, int] | None:
        """A weak-duality proof on the least chance of ``free`` (agents) in any lottery: integer weights (one per
        agent) and a proven upper bound on the weight of every acceptable panel. Two tiers (``apart_tiers``): weight
        ``c`` on a set ``A`` of mediators of ``free`` no acceptable panel holds two of (the weakest, ``weakest_apart``,
        and those no acceptable panel seats beside another of ``A`` or ``T``), weight 1 on a set ``T`` of others no
        acceptable panel seats beside one of ``A`` and none holds more than ``c`` of, 0 elsewhere: every panel then
        weighs at most ``c``, so one of them has a chance of at most ``c / (c |A ∩ free| + |T ∩ free|)``, below
        ``1 / |A ∩ free|`` when ``T`` is not empty; or weights 1 on ``free``, with every panel at most k, when that
        bound ``k / |free|`` is smaller. The packing (``_packed_tier``) may weigh ``T`` better, with the mediators
        ``nation_apart`` sets apart from ``A`` beside it. ``panel_bounds`` relaxes (it drops the locks and some rules),
        so the proof holds. None for panels of fewer than two members or no agent. ``stop`` (a cancelled run) ends the passes
        early, with what they proved so far. A lottery reaching the bound has every weighted agent exactly at it."""
        k = self.inst.k
        counted = np.zeros(len(self.inst_of), dtype=bool)
        counted[np.asarray(list(free), dtype=np.int64)] = True
        if k < 2 or not counted.any():
            return None
        # ``panel_bounds`` over the pool, once: the order of ``weakest_apart``, ``nation_apart`` and ``_mover_panels``,
        # whose ``pair_bounds`` reads the same programme (``plain_programme``; charged as before, each as its own pass).
        plain = plain_programme(self.inst, self.pool) if len(self.pool) >= 2 else None
        strength = None if plain is None else plain_bounds(self.inst, plain)
        weak, passes, partnered = _weakest_apart(self.inst, self.pool, self.threshold, BOUND_STEPS, stop, strength)
        self.work += NARROW_WORK * (1 + 2 * (passes - 1)) * self.cells(self.pool)  # counts 0 and 1
        apart_pos, tier_pos, c, units = apart_tiers(self.inst, self.pool, self.threshold, weak, stop, partnered)
        self.work += NARROW_WORK * units * self.cells(self.pool)
        positions = self.agent[np.asarray(self.pool, dtype=np.int64)]
        weights = np.zeros(len(self.inst_of), dtype=np.int64)
        weights[positions[apart_pos]] = c
        weights[positions[tier_pos]] = 1
        weights[~counted] = 0
        best = c
        joined = np.zeros(0, dtype=np.int64)
        if not stop():
            joined, units = nation_apart(self.inst, self.pool, self.threshold, apart_pos, stop, strength=strength)
            self.work += NARROW_WORK * units * self.cells(self.pool)
        packing = np.union1d(tier_pos, joined)
        packed = None if stop() else self._packed_tier(packing, c)
        if packed is None and len(packing) > len(tier_pos) and not stop():
            packing = tier_pos  # the search past its cap with the mediators joined: the tier alone
            packed = self._packed_tier(packing, c)
        if packed is not None:
            scale, tier_weights, rows = packed
            self._add(rows)  # acceptable panels holding two or more of the tier: columns the bound needs
            repacked = np.zeros(len(self.inst_of), dtype=np.int64)
            repacked[positions[apart_pos]] = scale
            repacked[positions[packing]] = tier_weights
            repacked[~counted] = 0
            if int(repacked.sum()) and Fraction(scale, int(repacked.sum())) < Fraction(c, max(1, int(weights.sum()))):
                weights, best = repacked, scale
        total = int(weights.sum())
        if total and Fraction(best, total) <= Fraction(k, int(counted.sum())):
            if not stop():
                self._add(self._apart_panels(apart_pos, packing))
                self._add(self._tier_panels(apart_pos, packing, c))
                movers = self._mover_panels(apart_pos, stop, strength, plain)
                if len(movers):
                    self._add(movers)
                    self.first_columns = self.known  # every panel known: the witnesses', the proof's and these
            self.apart = apart_pos
            return weights, best
        return counted.astype(np.int64), k

    def _packed_tier(self, tier: np.ndarray, c: int) -> tuple[int, np.ndarray, np.ndarray] | None:
        """Better weights for ``tier`` (positions in ``pool``; no acceptable panel holds one of them beside a mediator
        set apart; the second tier, with the mediators ``nation_apart`` joins): ``(scale, weights, rows)``, with ``rows``
        every acceptable panel holding two or more of ``tier`` (instance indices) and ``weights`` (one per mediator of
        ``tier``) such that each of those panels, and each mediator alone, weighs at most ``scale`` = 2c over the tier
        (``c`` the most of ``tier`` a panel found holds, at least the ``c`` given and 2); with weight ``scale`` on
        the mediators set apart, every acceptable panel then weighs at most ``scale``. None when the search for those
        panels gives up (past ``PACK_SCAN`` partial panels at a depth, or ``PRICING_CAP`` passing its bounds) or there
        is nothing to pack.

        The weights are an optimal fractional packing of the tier (maximise their sum, at most 1 per mediator and per
        panel's share of the tier; an LP over the panels found, complete since the bounded search with weight 1 on the
        tier, above 1, looks at every panel holding two of it), rounded down to multiples of 1 / scale and checked in
        integers. Weight 1 / c on every mediator of the tier, the two tiers' own proof, is one such packing, so the
        optimum is never worse; on a graph (``c`` 2) it is half-integral, exact in multiples of 1 / 4. At 10,000
        mediators (D002, 2026-12-06) the tier's 269 mediators have 3,528 pairs in some acceptable panel and 189 of
        them share none: 189 instead of 134.5, the bound 1 / 3,004 instead of 1 / 2,949.5."""
        k = self.inst.k
        if len(tier) < 2:
            return None
        flag = np.zeros(len(self.pool), dtype=np.int64)
        flag[tier] = 1
        roster = _roster(self.inst, self.pool, flag, self.clash)
        seats = self._searched(roster, PRICING_CAP, 1, PACK_SCAN)
        if seats is None:
            return None
        rows = _keep(
            self.inst, score_panels(self.inst, np.sort(roster.people[seats], axis=1)), self.threshold, self.locks
        )
        column = np.full(len(self.pool), -1, dtype=np.int64)
        column[tier] = np.arange(len(tier))
        held = column[np.searchsorted(self.pool, rows)].reshape(-1, k)  # each panel's members' columns (-1: none)
        if len(rows) == 0:
            return None  # no panel to pack against
        # The most of ``tier`` a panel holds (exact: every panel holding two or more was found); with mediators
        # joined by ``nation_apart`` it may pass the tier's own ``c``.
        c = max(c, 2, int((held >= 0).sum(axis=1).max()))
        which, member = np.nonzero(held >= 0)
        shares = sparse.csr_matrix(
            (np.ones(len(which)), (which, held[which, member])), shape=(len(rows), len(tier)), dtype=np.float64
        )
        result = linprog(-np.ones(len(tier)), A_ub=shares, b_ub=np.ones(len(rows)), bounds=(0.0, 1.0), method="highs")
        if result.status != 0:
            return None
        scale = 2 * c
        weights = np.clip(np.floor(np.asarray(result.x) * scale + 1e-7), 0, scale).astype(np.int64)
        panel_weights = np.asarray(shares.astype(np.int64) @ weights)
        if len(panel_weights) and int(panel_weights.max()) > scale:
            return None
        return scale, weights, rows

    def _apart_panels(self, weak: np.ndarray, skip: np.ndarray | None = None) -> np.ndarray:
        """Acceptable panels (rows of instance indices) holding exactly one of ``weak`` (positions in ``pool`` of
        mediators no acceptable panel holds two of), for each other mediator of the pool: the first level reaches
        the bound ``1 / |weak|`` only with such panels, each of the others seated in them often enough. Each other
        mediator is started with ``APART_TOP`` of ``weak`` of best value and ``APART_SPREAD`` more spread over all
        of them (so that different mediators get different partners), then completed greedily (``_greedy``) with
        no more of ``weak``; only those the kernel's scorer keeps are returned. Mediators of ``skip`` (positions,
        proven to share no acceptable panel with one of ``weak``: ``apart_tiers``) get none. Candidate columns,
        never a proof."""
        flagged = np.zeros(len(self.pool), dtype=bool)
        flagged[weak] = True
        others = ~flagged
        if skip is not None:
            others[skip] = False
        return self._started(np.flatnonzero(others), weak, APART_TOP, APART_SPREAD, flagged, 1)

    def _mover_panels(
        self,
        apart: np.ndarray,
        stop: Callable[[], bool] = lambda: False,
        strength: np.ndarray | None = None,
        plain: PlainProgramme | None = None,
    ) -> np.ndarray:
        """Acceptable panels (rows of instance indices) pairing each mediator outside ``apart`` (positions in ``pool``
        set apart by the first level's proof) with partners ``pair_bounds`` leaves able to share a panel with them:
        the first level's LP reaches its value only with them. Its duals weigh a set no known panel holds two of
        (``apart`` with some of the others swapped in), and each pricing round found the few panels pairing one more
        of them: the LP crawled one step in the level's denominator a round. Here one programme (``pair_bounds``)
        bounds the best panel holding each of the others and each candidate partner; those reaching the floor are
        the partners of each (``MOVER_PARTNERS`` at most, spread over them), and each pair is completed greedily
        (``_greedy``) with one of ``apart`` at most. None when the others number less than one in ``MOVER_SHARE`` of
        ``apart``. ``strength``: ``panel_bounds`` over the pool when known (``first_level_proof``'s), and ``plain`` its
        programme, which ``pair_bounds`` reads rather than run it again. Candidate columns, never a proof; the programme
        and the greedy starts are charged to the work budget (a second pass's units even when ``plain`` is read)."""
        k = self.inst.k
        nothing = np.zeros((0, k), dtype=np.int64)
        if MOVER_PARTNERS <= 0 or k < 2 or len(apart) == 0:
            return nothing
        people = np.asarray(self.pool, dtype=np.int64)
        flagged = np.zeros(len(people), dtype=bool)
        flagged[apart] = True
        if MOVER_SHARE * (len(people) - len(apart)) < len(apart):
            return nothing
        # The strongest (by ``panel_bounds``) sit beside nearly everyone: the greedy completion takes them anyway.
        if strength is None:
            plain = plain_programme(self.inst, self.pool)
            strength = plain_bounds(self.inst, plain)
            self.work += NARROW_WORK * self.cells(self.pool)
        strongest = np.lexsort((np.arange(len(people)), -strength))[:MOVER_SKIP]
        candidates = np.ones(len(people), dtype=bool)
        candidates[strongest] = False
        movers = np.flatnonzero(~flagged & candidates)
        candidates = np.flatnonzero(candidates)
        if not len(movers) or stop():
            return nothing
        # One programme bounds every pair's best panel (``pair_bounds``); until 2026-12-07 one flagged ``panel_bounds``
        # pass per profile of the movers screened them (less what a weaker member of the profile lacks in value):
        # on D011 at 10,000 mediators 107 passes, 19.3 s of CPU charged 43 units, now 0.4 s charged 0.4, and of its
        # 734,600 pairs the 71 the bound now proves apart are gone (on D003 two pairs those passes missed are in).
        bounds = pair_bounds(self.inst, self.pool, movers, candidates, plain)
        self.work += NARROW_WORK * 2 * self.cells(self.pool)
        partners: dict[int, np.ndarray] = {}
        for m, reach in zip(movers.tolist(), bounds, strict=True):
            fits = candidates[(reach >= self.threshold) & ~self.clash[m, candidates]]
            partners[m] = fits[fits != m]
        # The LP's panels pair the others with the mediators they can share a panel with, as a matching would: those
        # whom few others can join are found first (half of each one's partners, fewest such others first), the rest
        # spread over them.
        degree = np.zeros(len(people), dtype=np.int64)
        for fits in partners.values():
            degree[fits] += 1
        starts: list[np.ndarray] = []
        for m, fits in partners.items():
            if len(fits) > MOVER_PARTNERS:
                rare = fits[np.lexsort((fits, degree[fits]))][: MOVER_PARTNERS // 2]
                spread = fits[np.linspace(0, len(fits) - 1, MOVER_PARTNERS - len(rare)).astype(np.int64)]
                fits = np.union1d(rare, spread)
            if len(fits):
                starts.append(np.column_stack([np.full(len(fits), m), fits]))
        if not starts:
            return nothing
        pairs = np.vstack(starts)
        self.work += GREEDY_WORK * len(pairs) / NARROW_WORK_SIZE
        marks = flagged.astype(np.int64)
        found = [
            _greedy(self.inst, self.pool, marks, 1, pairs[lo : lo + APART_CHUNK], self.clash)
            for lo in range(0, len(pairs), APART_CHUNK)
        ]
        rows = np.vstack(found)
        return _keep(self.inst, score_panels(self.inst, rows), self.threshold, self.locks) if len(rows) else rows

    def _pair_panels(self, weighted: np.ndarray) -> np.ndarray:
        """Acceptable panels (rows of instance indices) holding two of the ``weighted`` mediators (a flag per mediator
        of ``pool``), for a pricing call with equal positive weights (the first leximin level's) once the first
        level's proof has set mediators apart (``apart``): such a panel holds a weighted mediator who is not set
        apart, so each of those is started with ``PAIR_TOP`` weighted others of best value and ``PAIR_SPREAD`` more
        spread over them, then completed greedily (``_greedy``) with no third weighted member. The level's LP sheds
        a weighted mediator for each such panel it learns (its duals are equal on a set no known panel holds two
        of); one panel from each pricing call left it shedding a few per round. Candidate columns, never a proof."""
        if self.apart is None or self.inst.k < 2:
            return np.zeros((0, self.inst.k), dtype=np.int64)
        movers = weighted.copy()
        movers[self.apart] = False
        return self._started(np.flatnonzero(movers), np.flatnonzero(weighted), PAIR_TOP, PAIR_SPREAD, weighted, 2)

    def _tier_panels(self, apart: np.ndarray, tier: np.ndarray, c: int) -> np.ndarray:
        """Acceptable panels (rows of instance indices) holding two or more of ``tier`` and none of ``apart``
        (positions in ``pool``, as ``apart_tiers`` returns them): a lottery reaching the two-tier bound seats the
        mediators of ``tier`` only in panels holding ``c`` of them. Each is started with ``APART_TOP`` others of
        ``tier`` of best value and ``APART_SPREAD`` more spread over them, then completed greedily (``_greedy``)
        with at most ``c`` of ``tier`` and none of ``apart``; only those the kernel's scorer keeps are returned.
        Candidate columns, never a proof."""
        if c < 2 or len(tier) < 2:
            return np.zeros((0, self.inst.k), dtype=np.int64)
        # A mediator of ``apart`` counts past any room: flagged with weight c + 1 against a room of c.
        flagged = np.zeros(len(self.pool), dtype=np.int64)
        flagged[tier] = 1
        flagged[apart] = c + 1
        return self._started(self._by_value(tier), tier, APART_TOP, APART_SPREAD, flagged, c)

    def _by_value(self, positions: np.ndarray) -> np.ndarray:
        """``positions`` (in ``pool``) best separable value first, ties by position."""
        value = separable_values(self.inst, np.asarray(self.pool, dtype=np.int64)[positions])
        return positions[np.lexsort((positions, -value))]

    def _started(
        self, movers: np.ndarray, partners: np.ndarray, top: int, spread: int, flagged: np.ndarray, room: int
    ) -> np.ndarray:
        """Acceptable panels (rows of instance indices) started from each of ``movers`` with one of ``partners``
        (positions in ``pool``): the ``top`` partners of best value that clash with neither, and ``spread`` more
        spread over all of them (so that different movers get different partners), each pair completed greedily
        (``_greedy``) with at most ``room`` of ``flagged`` (a count per mediator of ``pool``); only those the
        kernel's scorer keeps are returned. Charged to the work budget (``GREEDY_WORK``). Candidate columns."""
        ranked = self._by_value(np.asarray(partners, dtype=np.int64))
        starts = []
        for i, m in enumerate(np.asarray(movers, dtype=np.int64).tolist()):
            fits = ranked[(ranked != m) & ~self.clash[m, ranked]]
            if len(fits):
                picks = np.unique(np.concatenate([fits[:top], fits[(i * spread + np.arange(spread)) % len(fits)]]))
                starts.append(np.column_stack([np.full(len(picks), m), picks]))
        if not starts:
            return np.zeros((0, self.inst.k), dtype=np.int64)
        pairs = np.vstack(starts)
        self.work += GREEDY_WORK * len(pairs) / NARROW_WORK_SIZE
        found = [
            _greedy(self.inst, self.pool, flagged, room, pairs[lo : lo + APART_CHUNK], self.clash)
            for lo in range(0, len(pairs), APART_CHUNK)
        ]
        rows = np.vstack(found)
        return _keep(self.inst, score_panels(self.inst, rows), self.threshold, self.locks) if len(rows) else rows

    def neighbours(self, weights: np.ndarray, found: np.ndarray, above: int) -> int:
        """More acceptable panels heavier than ``above`` (the heaviest known panel's weight before the call) beside a
        pricing answer's ``found`` (rows of agents, each heavier than ``above``): its swap neighbourhood. Each member of
        a panel is replaced by each mediator of positive weight that keeps the panel heavier than ``above``; the
        kernel's scorer keeps the acceptable ones (every hard rule, the floor, the locks), and the new ones are swapped
        again, ``NEIGHBOUR_DEPTH`` times in all (two swaps from an answer), at most ``NEIGHBOUR_ROWS`` candidates
        scored at a depth (the first panels' first, in order) and ``NEIGHBOUR_MAX`` panels in all. They join
        ``known``, whose heaviest go along with the answer as candidate columns: the first level's LP at 10,000
        mediators (D003) gains one to three columns from a lone heaviest panel and its least chance then barely
        moves. Charged to the work budget (``NEIGHBOUR_WORK``). Never a proof. The number of panels added."""
        k = self.inst.k
        weights = np.asarray(weights, dtype=np.int64)
        found = np.asarray(found, dtype=np.int64).reshape(-1, k)
        active = self.agent[np.asarray(self.pool, dtype=np.int64)]
        movers = np.sort(active[weights[active] > 0])
        if not len(movers) or not len(found):
            return 0
        seen = np.vstack([self.known, found])
        frontier = found
        added: list[np.ndarray] = []
        total = 0
        for _ in range(NEIGHBOUR_DEPTH):
            blocks: list[np.ndarray] = []
            size = 0
            for panel in frontier:
                if size >= NEIGHBOUR_ROWS:
                    break
                weight = int(weights[panel].sum())
                for s in range(k):
                    need = above + 1 - (weight - int(weights[panel[s]]))  # the newcomer's least weight
                    fits = movers[(weights[movers] >= need) & ~np.isin(movers, panel)]
                    if len(fits):
                        rest = np.repeat(np.delete(panel, s)[None, :], len(fits), axis=0)
                        blocks.append(np.column_stack([rest, fits]))
                        size += len(fits)
            if not blocks:
                break
            rows = _unique_rows(np.sort(np.vstack(blocks)[:NEIGHBOUR_ROWS], axis=1))[0]
            self.work += NEIGHBOUR_WORK * len(rows) / 1e6
            kept = _keep(
                self.inst, score_panels(self.inst, np.sort(self.pool_rows(rows), axis=1)), self.threshold, self.locks
            )
            new = np.sort(self.agent[kept], axis=1) if len(kept) else np.zeros((0, k), dtype=np.int64)
            new = new[~np.isin(_row_keys(new), _row_keys(seen))]
            new = new[np.lexsort(new.T[::-1])][: NEIGHBOUR_MAX - total]
            if not len(new):
                break
            seen = np.vstack([seen, new])
            added.append(new)
            total += len(new)
            frontier = new
            if total >= NEIGHBOUR_MAX:
                break
        if added:
            self._add(self.pool_rows(np.vstack(added)))
        return total

    def take_work(self) -> float:
        """The narrowing's deterministic work since the last call (counted in the lottery's budget)."""
        work, self.work = self.work, 0.0
        return work

    def learn(self, rows: np.ndarray) -> None:
        """Add the panels (rows of instance indices) the kernel's scorer keeps to ``known``."""
        members = np.sort(np.asarray(rows, dtype=np.int64).reshape(-1, self.inst.k), axis=1)
        self._add(_keep(self.inst, score_panels(self.inst, members), self.threshold, self.locks))

    def heaviest(self, weights: np.ndarray, restriction: Restriction | None) -> tuple[Panel, ...]:
        """The known panels of positive weight (meeting ``restriction``), heaviest first, ties in canonical
        order, at most ``KNOWN_OTHERS``: further candidate columns beside a CP-SAT answer."""
        weights = np.asarray(weights, dtype=np.int64)
        incidence = self.incidence(len(weights))
        value = incidence @ weights
        allowed = value > 0
        if restriction is not None:
            allowed &= incidence @ np.asarray(restriction.weights, dtype=np.int64) >= restriction.at_least
        rows = np.flatnonzero(allowed)
        rows = rows[np.lexsort((rows, -value[rows]))][:KNOWN_OTHERS]
        return tuple(map(tuple, self.known[rows].tolist()))

    def pool_rows(self, agents: np.ndarray) -> np.ndarray:
        """Rows of agents as rows of instance indices."""
        return np.asarray(self.inst_of[agents])


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a 2-D integer array (at least one column) in lexicographic order, and each row's index
    among them: ``np.unique(rows, axis=0, return_inverse=True)``'s answer, by one ``np.lexsort`` (``np.unique`` sorts
    the rows as records, several times slower: on D002 at 10,000 mediators ``neighbours``' 18 calls took 6.9 s of the
    lottery's 132 under cProfile, 2026-12-07)."""
    rows = np.asarray(rows)
    order = np.lexsort(rows.T[::-1])
    ranked = rows[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (ranked[1:] != ranked[:-1]).any(axis=1)
    inverse = np.empty(len(rows), dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    return ranked[first], inverse


def _row_keys(rows: np.ndarray) -> np.ndarray:
    """One opaque key per row of a 2-D array (set membership of whole rows with ``np.isin``)."""
    rows = np.ascontiguousarray(np.asarray(rows, dtype=np.int64))
    return rows.view(np.dtype((np.void, 8 * rows.shape[1]))).ravel()


def programme_cells(inst: PanelInstance, pool: Sequence[int], flags: np.ndarray | None = None) -> int:
    """The size of ``panel_bounds``' programme over ``pool`` (indices into ``inst``), which a pass's CPU grows with:
    for each pair of parties (one without), the mediators' profiles (the traditions and UN groups they cover,
    woman, man, may chair, alignment with one party less that with the other; with ``flags``, a count per mediator
    of ``pool``, that count too, as the programme splits its profiles by it) times the span of alignments ``k - 1``
    others can sum to. Deterministic: it charges the narrowing to the lottery's budget (``NARROW_WORK``,
    ``COUNT_WORK``)."""
    people = np.asarray(pool, dtype=np.int64)
    if len(people) == 0:
        return 0
    k = inst.k
    align = inst.alignment[people].astype(np.int64)
    parties = align.shape[1]
    leans = [align[:, p] - align[:, q] for p in range(parties) for q in range(p + 1, parties)]
    base = [tradition_bits(inst, people), group_bits(inst, people), inst.female[people], inst.male[people]]
    base.append(inst.chair_ok[people])
    if flags is not None:
        base.append(np.asarray(flags, dtype=np.int64))
    total = 0
    for lean in leans or [np.zeros(len(people), dtype=np.int64)]:
        profiles = len(np.unique(np.column_stack([*base, lean]).astype(np.int64), axis=0))
        spans = (k - 1) * (max(0, int(lean.max())) - min(0, int(lean.min()))) + 1
        total += profiles * spans
    return total


def lagrangian_bounds(
    inst: PanelInstance,
    pool: Sequence[int],
    weights: np.ndarray,
    threshold: int,
    shares: Sequence[Fraction] = LAGRANGE_SHARES,
    above: int | None = None,
) -> tuple[np.ndarray, int]:
    """For each mediator of ``pool`` (indices into ``inst``; ``weights``, integers >= 0, one per mediator), an
    upper bound on the weight of every acceptable panel (objective at least ``threshold``) holding them, and
    how many programme passes that took. Proven, not guessed: a mediator whose bound is at most ``a`` is in no
    acceptable panel heavier than ``a``.

    For a multiplier ``mu > 0`` every acceptable panel P has ``mu w(P) <= objective(P) + mu w(P) - threshold``.
    ``panel_bounds`` with each member's value raised by ``ceil(mu w)`` bounds ``objective(P) + mu w(P)`` from
    above for every panel holding a given mediator (``B``), so ``w(P) <= floor((B - threshold) / mu)``. Each
    multiplier of ``shares`` (times the spread of the members' values over the largest weight) gives such a
    bound and the least is kept. Small multipliers lean on the floor, large ones on the weights; in between
    they prove what neither proves alone. With ``above``, the passes stop once fewer than k mediators are
    left above it (no acceptable panel is heavier). Mediators in no acceptable panel at all get ``_LOW``."""
    people = np.asarray(pool, dtype=np.int64)
    w = [int(x) for x in np.asarray(weights, dtype=np.int64)]
    ceiling = 2**62
    bound = np.full(len(people), ceiling, dtype=np.int64)
    top = max(w, default=0)
    if top <= 0 or len(people) == 0:
        return bound, 0
    value = separable_values(inst, people)
    spread = max(1, int(value.max()) - int(value.min()))
    passes = 0
    for share in shares:
        mu = Fraction(share) * spread / top
        if mu <= 0:
            continue
        num, den = mu.numerator, mu.denominator
        extra = np.array([-(-x * num // den) for x in w], dtype=np.int64)  # ceil(mu w), exact
        reach = panel_bounds(inst, pool, extra=extra)
        passes += 1
        # floor((B - threshold) / mu), exact; below 0 (or _LOW) means in no acceptable panel at all
        most = [int(_LOW) if b - threshold < 0 else min(ceiling, (b - threshold) * den // num) for b in reach.tolist()]
        bound = np.minimum(bound, np.asarray(most, dtype=np.int64))
        if above is not None and int((bound > above).sum()) < inst.k:
            break
    return bound, passes


def weakest_apart(
    inst: PanelInstance,
    pool: Sequence[int],
    threshold: int,
    steps: int = BOUND_STEPS,
    stop: Callable[[], bool] = lambda: False,
) -> tuple[np.ndarray, int]:
    """Positions in ``pool`` (indices into ``inst``) of mediators no acceptable panel (objective at least
    ``threshold``) holds two of, as many as ``steps`` halvings find, and how many ``panel_bounds`` passes that
    took. They are the mediators after the first ``m`` in order of ``panel_bounds`` (strongest first, ties by
    position), for the smallest ``m`` proven in the halvings (none proven: empty). Proven by ``panel_bounds``
    with the others flagged, over the panels in which some other member is flagged (``least``, room 1): a panel
    holding two of them would give each of the two a bound at least its objective.
    ``stop`` is asked before each pass (each takes seconds at 10,000 mediators): True ends the halvings."""
    apart, passes, _ = _weakest_apart(inst, pool, threshold, steps, stop)
    return apart, passes


def _weakest_apart(
    inst: PanelInstance,
    pool: Sequence[int],
    threshold: int,
    steps: int,
    stop: Callable[[], bool],
    strength: np.ndarray | None = None,
) -> tuple[np.ndarray, int, np.ndarray | None]:
    """``weakest_apart``, and the bounds of its pass that proved the set apart (``panel_bounds`` with the set
    flagged, room 1, ``least``; None when none was proven): ``apart_tiers`` starts from them. ``strength``:
    ``panel_bounds`` over the pool when known (its first pass, still counted)."""
    k = inst.k
    nothing = np.zeros(0, dtype=np.int64)
    partnered: np.ndarray | None = None
    if k < 2 or len(pool) < 2:
        return nothing, 0, partnered
    if strength is None:
        strength = panel_bounds(inst, pool)
    order = np.lexsort((np.arange(len(pool)), -strength))
    passes, apart = 1, nothing
    lo, hi = 0, len(pool)  # order[hi:] is proven apart (empty at first); order[lo:] is not, or not tried
    for _ in range(steps):
        m = (lo + hi) // 2
        if m <= lo or stop():
            break
        weak = np.zeros(len(pool), dtype=bool)
        weak[order[m:]] = True
        reach = panel_bounds(inst, pool, weak, 1, least=True)
        passes += 1
        if (reach[weak] >= threshold).any():
            lo = m
        else:
            hi, apart, partnered = m, np.sort(order[m:]), reach
    return apart, passes, partnered


def apart_tiers(
    inst: PanelInstance,
    pool: Sequence[int],
    threshold: int,
    weak: np.ndarray,
    stop: Callable[[], bool] = lambda: False,
    partnered: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The two tiers of the first level's proof, from ``weak`` (positions in ``pool`` of mediators no acceptable
    panel, objective at least ``threshold``, holds two of: ``weakest_apart``): ``(apart, tier, c, units)``.
    ``apart`` (positions, sorted) holds ``weak`` and is still held two of by no acceptable panel; no acceptable
    panel holds one of ``apart`` and one of ``tier`` (positions, sorted), nor more than ``c`` of ``tier``; every
    acceptable panel then weighs at most ``c`` with weight ``c`` on ``apart`` and 1 on ``tier``. ``units`` counts
    the ``panel_bounds`` passes by their room plus one (the work they take).

    Each is proven by a pass of ``panel_bounds`` over the panels whose other members hold at least ``room``
    flagged ones (``least``), a mediator under the threshold there being in no such acceptable panel: the others
    with no partner in ``weak`` (flagged ``weak``, room 1) are the candidates for ``tier``; those of them with no
    partner among the candidates (flagged, room 1) join ``apart``; and ``c`` is the least room (from 2) at which no
    one left in ``tier`` has that many partners in it (k if none). ``stop`` is asked before each pass: True ends
    them with what is proven so far (``tier`` empty unless ``c`` is). ``partnered``: the first pass's bounds when
    they are known already (``weakest_apart``'s proving pass is that pass)."""
    k = inst.k
    nothing = np.zeros(0, dtype=np.int64)
    weak = np.sort(np.asarray(weak, dtype=np.int64))
    if k < 2 or len(weak) == 0 or len(weak) == len(pool) or stop():
        return weak, nothing, 1, 0
    flagged = np.zeros(len(pool), dtype=bool)
    flagged[weak] = True
    units = 0
    if partnered is None:
        partnered = panel_bounds(inst, pool, flagged, 1, least=True)
        units = 2
    tier = ~flagged & (partnered < threshold)
    if not tier.any() or stop():
        return weak, nothing, 1, units
    reach = panel_bounds(inst, pool, tier, 1, least=True)
    units += 2
    lone = tier & (reach < threshold)
    apart = np.flatnonzero(flagged | lone)
    tier &= ~lone
    if not tier.any():
        return apart, nothing, 1, units
    for room in range(2, k):
        if stop():
            return apart, nothing, 1, units
        reach = panel_bounds(inst, pool, tier, room, least=True)
        units += room + 1
        if not (reach[tier] >= threshold).any():
            return apart, np.flatnonzero(tier), room, units
    return apart, np.flatnonzero(tier), k, units


def nation_apart(
    inst: PanelInstance,
    pool: Sequence[int],
    threshold: int,
    apart: np.ndarray,
    stop: Callable[[], bool] = lambda: False,
    top: int = NATION_TOP,
    strong: int = NATION_STRONG,
    strength: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Mediators no acceptable panel (objective at least ``threshold``) seats beside one of ``apart`` (positions in
    ``pool``, indices into ``inst``, of mediators no acceptable panel holds two of: ``apart_tiers``) because of the
    distinct nationalities rule (H5, which ``panel_bounds`` relaxes): ``(joined, units)``, ``joined`` positions in
    ``pool`` (sorted, none of ``apart``) and ``units`` the passes' room plus one each (the work they take).

    The weakest mediators reach the floor only beside some of the strongest; when the strongest holders ``H`` of a
    nationality (those of it among the ``strong`` strongest by ``panel_bounds``) are among the partners they need, a
    panel holding one of them and another holder of that nationality cannot exist: it would hold two holders, or
    reach the floor without ``H``. So for each nationality of the ``top`` strongest, one pass of ``panel_bounds`` over
    the pool without ``H``, over the panels whose other members hold one of the nationality's other holders
    (``least``, room 1), proves it when it leaves every mediator of ``apart`` under the floor: those holders are
    then apart from all of ``apart`` (they may share panels with each other's nationality or with the second tier:
    the packing, ``_SearchPricing._packed_tier``, weighs them). ``stop`` is asked before each pass. ``strength``:
    ``panel_bounds`` over the pool when the caller has it (then neither run nor counted in ``units``)."""
    k = inst.k
    people = np.asarray(pool, dtype=np.int64)
    nothing = np.zeros(0, dtype=np.int64)
    if k < 2 or len(apart) == 0 or len(people) <= k or stop():
        return nothing, 0
    units = 0
    if strength is None:  # else known (``panel_bounds`` over the pool), charged by the caller
        strength, units = panel_bounds(inst, pool), 1
    order = np.lexsort((np.arange(len(people)), -strength))
    rank = np.empty(len(people), dtype=np.int64)
    rank[order] = np.arange(len(people))
    is_apart = np.zeros(len(people), dtype=bool)
    is_apart[np.asarray(apart, dtype=np.int64)] = True
    holds = [set(inst.mediators[int(i)].nationalities) for i in people]
    tried: list[str] = []
    joined = np.zeros(len(people), dtype=bool)
    for j in order[:top].tolist():
        for nationality in sorted(holds[j] - set(tried)):
            tried.append(nationality)
            holders = np.asarray([q for q in range(len(people)) if nationality in holds[q]], dtype=np.int64)
            others = holders[rank[holders] >= strong]
            if not (~is_apart[others] & ~joined[others]).any() or stop():
                continue  # nothing to gain (or a cancelled run)
            kept = np.ones(len(people), dtype=bool)
            kept[holders[rank[holders] < strong]] = False
            flagged = np.zeros(len(people), dtype=bool)
            flagged[others] = True
            reach = panel_bounds(inst, people[kept].tolist(), flagged[kept], 1, least=True)
            units += 2
            if not (reach[is_apart[kept]] >= threshold).any():
                joined[others] = True
    joined &= ~is_apart
    return np.flatnonzero(joined), units


def _spread_out(found: np.ndarray, value: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Positions of the panels handed back as columns (``found`` heaviest first): the
    ``ENUMERATED_OTHERS + 1`` first, then up to ``SPREAD_OTHERS`` more of the heaviest weight that each seat
    some mediator of positive weight none of the chosen ones seats. The heaviest panels are often near
    copies of one another; spread out, one pricing call does the work of many in a flat leximin level."""
    head = list(range(min(len(found), ENUMERATED_OTHERS + 1)))
    if len(found) <= len(head):
        return np.asarray(head, dtype=np.int64)
    seated = {int(a) for row in found[head] for a in row}
    extra: list[int] = []
    for j in np.flatnonzero(value == value[0]).tolist():
        if j >= len(head) and len(extra) < SPREAD_OTHERS:
            new = {int(a) for a in found[j] if weights[a] > 0} - seated
            if new:
                extra.append(j)
                seated |= new
    return np.asarray(head + extra, dtype=np.int64)


def _witnesses(
    inst: PanelInstance, pool: list[int], threshold: int, locks: Locks, seeds: Sequence[Sequence[int]]
) -> np.ndarray:
    """Acceptable panels that hold as many mediators of ``pool`` as cheaply found (rows of instance
    indices, sorted): each mediator with the best-valued others who share no nationality with them or
    each other, and each mediator in place of each member of the ``seeds``; only those the kernel's
    scorer keeps (``score_panels``, ``_keep``) are returned. A shortcut for the covering phase, never a proof."""
    k = inst.k
    if len(pool) < k:
        return np.zeros((0, k), dtype=np.int64)
    order = np.lexsort((np.asarray(pool), -separable_values(inst, np.asarray(pool, dtype=np.int64))))
    ranked = [pool[int(j)] for j in order]
    partners = ranked[:WITNESS_PARTNERS]
    nats = {i: frozenset(inst.mediators[i].nationalities) for i in {*pool, *(i for seed in seeds for i in seed)}}
    panels = []
    for i in pool:
        chosen, held = [i], set(nats[i])
        for j in partners:
            if j != i and not nats[j] & held:
                chosen.append(j)
                held |= nats[j]
                if len(chosen) == k:
                    panels.append(sorted(chosen))
                    break
        for seed in seeds:
            if i not in seed and len(seed) == k:
                panels.extend(sorted([*seed[:t], i, *seed[t + 1 :]]) for t in range(k))
    if not panels:
        return np.zeros((0, k), dtype=np.int64)
    members = np.unique(np.vstack([np.asarray(panels, dtype=np.int64).reshape(-1, k), _greedy(inst, pool)]), axis=0)
    return _keep(inst, score_panels(inst, members), threshold, locks)


def _greedy(
    inst: PanelInstance,
    pool: list[int],
    outside: np.ndarray | None = None,
    room: int = 0,
    starts: np.ndarray | None = None,
    clash: np.ndarray | None = None,
) -> np.ndarray:
    """For each mediator of ``pool``, a panel completed greedily (rows of instance indices, sorted): each
    open seat goes to the candidate who adds the most to the objective (their value and what they add to
    the chair bonus, diversity and neutrality balance), among the ``GREEDY_PER_PROFILE`` best-valued of each
    profile (``panel_bounds``) who share no nationality with the panel so far. The best-valued partners alone
    rarely complete a panel that reaches the floor for a mediator of low value: diversity and balance decide.
    With ``outside`` (a flag per mediator of ``pool``: 0 or 1, or a larger count) a panel takes flagged members
    whose flags sum to at most ``room``. With
    ``starts`` (rows of positions in ``pool``, distinct within a row) one panel per row is completed from
    those members instead (rows that do not complete are left out). ``clash``: ``clash_matrix`` of ``pool`` when
    the caller has it already (building it takes about 40 ms at 3,000 mediators, and a call can take less). Each seat
    goes to every panel at once (``_greedy_step``), for work that grows with the panels' distinct states more than
    with their number."""
    k, people = inst.k, np.asarray(pool, dtype=np.int64)
    if k < 2 or len(people) < k:
        return np.zeros((0, k), dtype=np.int64)
    spare = np.zeros(len(people), dtype=np.int64) if outside is None else np.asarray(outside, dtype=np.int64)
    if outside is None:
        room = k
    w = inst.weights
    value = separable_values(inst, people)
    chair = np.where(inst.chair_ok[people], chair_values(inst)[people], _NO_CHAIR).astype(np.int64)
    trads, groups = tradition_bits(inst, people), group_bits(inst, people)
    female, male = inst.female[people].astype(np.int64), inst.male[people].astype(np.int64)
    align = inst.alignment[people].astype(np.int64)
    keys = np.column_stack([trads, groups, female, male, inst.chair_ok[people], align, spare])
    profile = _unique_rows(keys)[1]
    order = np.lexsort((people, -value, profile))
    first = np.r_[True, profile[order][1:] != profile[order][:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    cand = order[np.arange(len(order)) - start < GREEDY_PER_PROFILE]  # positions in ``people``
    clash = clash_matrix(inst, people) if clash is None else clash
    seats = np.arange(len(people))[:, None] if starts is None else np.asarray(starts, dtype=np.int64)
    if starts is not None and len(seats) == 0:
        return np.zeros((0, k), dtype=np.int64)
    used = spare[seats].sum(axis=1)  # flagged members so far
    total = value[seats].sum(axis=1)
    best_chair = chair[seats].max(axis=1)
    t_bits = np.bitwise_or.reduce(trads[seats], axis=1)
    g_bits = np.bitwise_or.reduce(groups[seats], axis=1)
    fem, men, aligned = female[seats].sum(axis=1), male[seats].sum(axis=1), align[seats].sum(axis=1)
    cost = w["neutrality"] * inst.neutral_asym_coef

    # A candidate's gain beyond their value and chair bonus depends on their profile only (the keys above), and on
    # the panel so far only through its state (covered bits, women, men, alignments): it is computed once per pair
    # of a state met and a profile among the candidates, then spread to the panels and candidates.
    kinds = np.unique(profile[cand], return_inverse=True)[1].ravel()
    kind = cand[np.unique(kinds, return_index=True)[1]]  # one candidate of each profile
    # [pool, candidates]: the candidate is the mediator or shares a nationality with them (never both on a panel)
    barred = clash[:, cand]
    barred[cand, np.arange(len(cand))] = True

    def bonus(t: np.ndarray, g: np.ndarray, f: np.ndarray, m: np.ndarray, a: Sequence[np.ndarray]) -> np.ndarray:
        """Diversity and neutrality balance (the panel-level terms but the chair bonus); ``a``: the alignment
        with each party."""
        out = w["diversity"] * (
            inst.tradition_coef * POPCOUNT[t] + inst.group_coef * POPCOUNT[g] + inst.gender_coef * np.minimum(f, m)
        )
        if len(a):
            hi, lo = a[0], a[0]
            for party in a[1:]:
                hi, lo = np.maximum(hi, party), np.minimum(lo, party)
            out = out - cost * (hi - lo)
        return np.asarray(out)

    for _ in range(k - seats.shape[1]):
        state = np.column_stack([t_bits, g_bits, fem, men, aligned])
        states, at = _unique_rows(state)
        t_s, g_s, f_s, m_s, a_s = states[:, 0], states[:, 1], states[:, 2], states[:, 3], states[:, 4:]
        per_kind = bonus(
            t_s[:, None] | trads[kind][None, :],
            g_s[:, None] | groups[kind][None, :],
            f_s[:, None] + female[kind][None, :],
            m_s[:, None] + male[kind][None, :],
            [a_s[:, [p]] + align[kind, p][None, :] for p in range(align.shape[1])],
        )
        # Each candidate's gain but the chair bonus, per state: [states, candidates].
        base = per_kind[:, kinds] + value[cand][None, :]
        best, ok = _greedy_step(base, chair[cand], best_chair, at, seats, barred, spare[cand], room - used)
        pick = cand[best]
        seats = np.column_stack([seats, np.where(ok, pick, seats[:, 0])])
        used += np.where(ok, spare[pick], 0)
        total += value[pick]
        best_chair = np.maximum(best_chair, chair[pick])
        t_bits, g_bits = t_bits | trads[pick], g_bits | groups[pick]
        fem, men, aligned = fem + female[pick], men + male[pick], aligned + align[pick]
    complete = (np.diff(np.sort(seats, axis=1), axis=1) != 0).all(axis=1) & (used <= room)  # k distinct members
    return np.sort(people[seats[complete]], axis=1)


def _greedy_step(
    base: np.ndarray,
    chair: np.ndarray,
    best_chair: np.ndarray,
    at: np.ndarray,
    seats: np.ndarray,
    barred: np.ndarray,
    spare: np.ndarray,
    left: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One seat of ``_greedy`` for every panel: the index of the candidate of largest gain (the first on ties) among
    those the panel may take, and whether there is one (the index is then 0, as ``np.argmax`` of a row all barred).

    A row's gain of candidate ``c`` is ``base[at, c] + max(best_chair, chair[c])`` (``base``: the gain but the chair
    bonus, per state of the panel so far; what the panel scores already is the same for every candidate and left
    out); it may take ``c`` unless ``barred`` by a member (the member or a shared nationality, ``barred[member, c]``)
    or flagged past the room left (``spare[c] > 0`` and ``spare[c] > left``). That gain is the larger of ``base +
    best_chair`` and ``lifted = base + chair``, so its largest over the candidates a row may take is the larger of the
    two orders' firsts, and the first candidate reaching it the earlier of those that do. Rows of the same state and
    room left share both orders: their ``GREEDY_LEAD`` first candidates in the order ``(-gain, candidate)`` are ranked
    once per such group, and a row looks only at those (its members bar a few candidates); a row that may take none
    of them in one order is computed in full over every candidate, as before. The answers are exactly the full
    computation's, for work per group of rows rather than per row (the groups' orders and the rows computed in full
    are taken ``GREEDY_CELLS`` cells at a time, which bounds the memory)."""
    rows, n = len(at), base.shape[1]
    best = np.zeros(rows, dtype=np.intp)
    ok = np.zeros(rows, dtype=bool)
    lifted = base + chair[None, :]
    slow = np.ones(rows, dtype=bool)
    lead = min(GREEDY_LEAD, n)
    top = int(max(np.abs(base).max(), np.abs(lifted).max())) if base.size else 0
    if 0 < lead < n and (top + 1) * n < 2**62:  # keys ``-gain * n + c``: distinct, ordered as (-gain, candidate)
        room = np.clip(left, -1, int(spare.max()))  # past the largest flag every row has the same room
        groups, group = _unique_rows(np.column_stack([at, room]))
        shut = np.iinfo(np.int64).max  # the key of a candidate past the group's room
        index = np.arange(n)
        block = max(1, GREEDY_CELLS // n)
        firsts = []
        for gains in (base, lifted):
            head = np.empty((len(groups), lead), dtype=np.intp)
            open_ = np.empty((len(groups), lead), dtype=bool)
            for lo in range(0, len(groups), block):
                part = groups[lo : lo + block]
                key = -gains[part[:, 0]] * n + index[None, :]
                key[(spare[None, :] > 0) & (spare[None, :] > part[:, 1][:, None])] = shut
                ahead = np.argpartition(key, lead - 1, axis=1)[:, :lead]
                ahead_key = np.take_along_axis(key, ahead, axis=1)
                order = np.argsort(ahead_key, axis=1)
                head[lo : lo + block] = np.take_along_axis(ahead, order, axis=1)
                open_[lo : lo + block] = np.take_along_axis(ahead_key, order, axis=1) != shut
            cands = head[group]  # [rows, lead]
            blocked = ~open_[group]
            for column in seats.T:
                blocked |= barred[column[:, None], cands]
            first = np.argmax(~blocked, axis=1)
            firsts.append((cands[np.arange(rows), first], ~blocked[np.arange(rows), first]))
        (a, found_a), (u, found_u) = firsts
        plain, raised = base[at, a] + best_chair, lifted[at, u]
        most = np.maximum(plain, raised)
        winner = np.minimum(np.where(plain == most, a, n), np.where(raised == most, u, n))
        quick = found_a & found_u
        best[quick], ok[quick] = winner[quick], True
        slow = ~quick
    spans = np.flatnonzero(slow)
    for lo in range(0, len(spans), max(1, GREEDY_CELLS // max(n, 1))):
        r = spans[lo : lo + max(1, GREEDY_CELLS // max(n, 1))]
        gain = base[at[r]] + np.maximum(best_chair[r, None], chair[None, :])
        taken = barred[seats[r, 0]]
        for column in seats[r].T[1:]:  # one seat at a time: [rows, candidates] never [rows, seats, candidates]
            taken |= barred[column]
        taken |= (spare[None, :] > 0) & (spare[None, :] > left[r, None])
        np.putmask(gain, taken, np.iinfo(np.int64).min)
        pick = np.argmax(gain, axis=1)
        best[r], ok[r] = pick, ~taken[np.arange(len(r)), pick]
    return best, ok


class DisputePanelOracle:
    """Pricing oracle over the acceptable panels of one dispute.

    Agents ``0..n-1`` are the mediators ``pool`` (indices into the instance), in mediator-id order.
    Every panel the model can give keeps ``locks``; ``problems`` checks them again on its own.
    """

    def __init__(
        self,
        inst: PanelInstance,
        view: DisputeView,
        pool: list[int],
        threshold: int,
        config: SolveConfig,
        locks: Locks | None = None,
        seeds: Sequence[Sequence[int]] = (),
    ) -> None:
        """``seeds``: good panels (indices into ``inst``, such as the optimum) from which the search's
        witness panels are built (``_witnesses``); they only speed it up."""
        self.inst = inst
        self.view = view
        self.pool = pool
        self.threshold = threshold
        self.config = config
        self.locks = locks or Locks()
        rows = acceptable_panels(inst, pool, threshold, self.locks, ENUMERATION_CAP)
        self.enumerated: np.ndarray | None = None  # [panels, k] agents, each row and the rows sorted
        self._incidence: sparse.csr_matrix | None = None  # panels x agents, built on the first pricing call
        self.search: _SearchPricing | None = None
        self.searched = 0  # pricing calls answered by the search (past ENUMERATION_CAP)
        self.solved = 0  # pricing calls answered by CP-SAT
        # The engine's optional local search (looked up with getattr): only past the enumeration cap, where
        # exact pricing is slow; an enumerated dispute prices exactly in milliseconds.
        self.improve: Callable[[np.ndarray, Sequence[Panel]], list[Panel]] | None = None
        self.improved = 0  # panels the local search handed to the engine
        self.widening = WIDENING or rows is not None  # the engine's widening after each level (see WIDENING)
        self.storing = STORED  # cheap pricing from the known panels (``stored``)
        if rows is not None:
            agent = np.full(inst.n, -1, dtype=np.int64)
            agent[np.asarray(pool, dtype=np.int64)] = np.arange(len(pool))
            panels = np.sort(agent[rows], axis=1).reshape(-1, inst.k)
            self.enumerated = panels[np.lexsort(panels.T[::-1])] if len(panels) else panels
            return
        if PRICING_CAP > 0 and len(pool) >= inst.k:
            self.search = _SearchPricing(inst, pool, threshold, self.locks, seeds)
            if LOCAL_SEARCH:
                self.improve = self._improve
        self.panel_model = PanelModel(inst, sorted(pool), self.locks, objective=lambda v: 0)
        self.panel_model.model.add(self.panel_model.vars.weighted(inst) >= threshold)
        self.x = [self.panel_model.x[i] for i in pool]

    def first_level_proof(
        self, free: Sequence[int], stop: Callable[[], bool] = lambda: False
    ) -> tuple[np.ndarray, int] | None:
        """A proven upper bound on the least chance of the agents ``free`` in any lottery over the acceptable
        panels, found without pricing, as its proof (``_SearchPricing.first_level_proof``: weights per agent and a
        proven bound on every acceptable panel's weight), which the engine reports before any pricing and uses to
        end the first level once the known panels reach it; ``stop`` ends it early when the run is cancelled.
        None when the panels are enumerated (their pricing is exact in milliseconds) or priced by CP-SAT alone."""
        return None if self.search is None else self.search.first_level_proof(free, stop)

    def first_level_columns(self) -> list[Panel]:
        """Candidate columns for the first level's LP from the start, built with ``first_level_proof``'s proof
        (``_SearchPricing._mover_panels``), handed over once (none when the panels are enumerated)."""
        if self.search is None:
            return []
        rows, self.search.first_columns = self.search.first_columns, self.search.first_columns[:0]
        return [tuple(int(a) for a in row) for row in rows]

    @property
    def n(self) -> int:
        return len(self.pool)

    @property
    def size(self) -> int:
        return self.inst.k

    def best(self, weights: np.ndarray, restriction: Restriction | None = None) -> Pricing:
        if self.enumerated is not None:
            return self._best_enumerated(weights, restriction)
        if self.search is not None:
            answer = self.search.best(weights, restriction)
            if answer is not None:
                self.searched += 1
                return replace(answer, work=self.search.take_work())
        self.solved += 1
        above = -1
        if self.search is not None and len(self.search.known):
            above = int((self.search.incidence(len(weights)) @ np.asarray(weights, dtype=np.int64)).max())
        answer = cpsat_best(
            self.panel_model.model,
            self.x,
            weights,
            restriction,
            seed=self.config.seed,
            time_limit=self.config.time_limit,
            linearization_level=LINEARIZATION,
        )
        if self.search is not None:
            if answer.panel is not None:  # known from now on, once the kernel's scorer has checked it
                search = self.search
                search.learn(search.pool_rows(np.asarray([answer.panel], dtype=np.int64)))
                w_pool = np.asarray(weights, dtype=np.int64)[search.agent[np.asarray(search.pool, dtype=np.int64)]]
                search.pair_columns(w_pool, answer.value, restriction)
                if restriction is None and answer.value > above:
                    search.neighbours(weights, np.asarray([answer.panel], dtype=np.int64), above)
            # The known acceptable panels go along as candidate columns: while covering, those holding agents
            # not met yet cover them without one CP-SAT call each.
            others = (*answer.others, *self.search.heaviest(weights, restriction))
            answer = replace(answer, others=others, work=answer.work + self.search.take_work())
        return answer

    def _best_enumerated(self, weights: np.ndarray, restriction: Restriction | None) -> Pricing:
        """Exact pricing over the enumerated panels: the first (in canonical order) of largest weight, and
        the next ``ENUMERATED_OTHERS`` best as further candidate columns."""
        assert self.enumerated is not None
        if self._incidence is None:
            rows = np.repeat(np.arange(len(self.enumerated)), self.size)
            ones = np.ones(rows.size, dtype=np.int64)
            shape = (len(self.enumerated), self.n)
            self._incidence = sparse.csr_matrix((ones, (rows, self.enumerated.ravel())), shape=shape)
        values = self._incidence @ np.asarray(weights, dtype=np.int64)
        rows = np.arange(len(values))
        if restriction is not None:
            rows = np.flatnonzero(
                self._incidence @ np.asarray(restriction.weights, dtype=np.int64) >= restriction.at_least
            )
        if len(rows) == 0:
            return Pricing(None, 0, True)
        top = min(ENUMERATED_OTHERS + 1, len(rows))
        best = rows[np.argpartition(-values[rows], top - 1)[:top]]
        best = best[np.lexsort((best, -values[best]))]  # by value, ties in canonical order
        panels = [tuple(int(a) for a in self.enumerated[row]) for row in best]
        return Pricing(panels[0], int(values[best[0]]), True, others=tuple(panels[1:]))

    def _improve(self, weights: np.ndarray, starts: Sequence[Panel]) -> list[Panel]:
        """Cheap pricing for the engine: from each start (an acceptable panel), swap one member at a time for
        one of the ``SWAP_CANDIDATES`` mediators of largest weight, taking the swap that gives the heaviest
        acceptable panel (ties: the first in canonical order) while it raises the weight; the distinct panels
        reached on the way (each one a column the engine may take; starts no swap improves are left out). Acceptable is what the exact pricing keeps: the kernel's
        scorer (every hard rule, lean cap included, best chair) then the floor and the locks (``_keep``). A
        heuristic only: the engine still ends every level on ``best``'s proof."""
        assert self.search is not None
        search = self.search
        y = np.asarray(weights, dtype=float)
        active = search.agent[np.asarray(search.pool, dtype=np.int64)]  # after ``restrict``, the agents left
        ranked = active[np.argsort(-y[active], kind="stable")]
        ranked = ranked[y[ranked] > 0][:SWAP_CANDIDATES]
        found: list[Panel] = []
        for start in starts:
            found += [panel for panel in search.climb(y, ranked, start) if panel not in found]
        self.improved += len(found)
        return found

    def restrict(self, agents: list[int]) -> None:
        """Fix everybody outside ``agents`` to 0: the engine proved they are in no acceptable panel, and
        the pricing problems get smaller (measured on the demo dispute D002: about 30% less CP-SAT time).
        Enumerated panels holding them cannot exist; dropping any is only a safeguard."""
        keep = set(agents)
        if self.enumerated is not None:
            inside = np.isin(self.enumerated, np.asarray(sorted(keep), dtype=np.int64)).all(axis=1)
            self.enumerated = self.enumerated[inside]
            self._incidence = None
            return
        if self.search is not None:
            self.search.restrict(agents)
        for a, var in enumerate(self.x):
            if a not in keep:
                self.panel_model.model.add(var == 0)

    def stored(self, weights: np.ndarray) -> Sequence[Panel]:
        """The known acceptable panels heaviest first under ``weights`` (at most ``KNOWN_OTHERS``), without any search:
        the engine's cheap pricing between exact calls (``_Engine.stored_panels``). Empty when the panels are enumerated
        (exact pricing costs milliseconds there) or before the search exists."""
        if self.search is None or not self.storing:
            return ()
        return self.search.heaviest(weights, None)

    def members(self, panel: Panel) -> list[int]:
        return [self.pool[a] for a in panel]

    def chair(self, idx: list[int]) -> int | None:
        """The panel's chair: the locked chair when there is one and it may chair, otherwise the best."""
        if self.locks.chair is None:
            return best_chair(self.inst, idx)
        locked = next((i for i in idx if self.inst.mediators[i].mediator_id == self.locks.chair), None)
        return locked if locked is not None and self.inst.chair_ok[locked] else None

    def problems(self, panel: Panel) -> list[str]:
        idx = self.members(panel)
        ids = {self.inst.mediators[i].mediator_id for i in idx}
        out = [f"locks: {mid} is locked in but not on the panel" for mid in sorted(self.locks.include - ids)]
        out += [f"locks: {mid} is excluded but on the panel" for mid in sorted(self.locks.exclude & ids)]
        chair = self.chair(idx)
        if chair is None:
            locked = self.locks.chair
            out.append(f"locks: the locked chair {locked} cannot chair this panel" if locked else "no member may chair")
            return out
        # A hard rule broken is no lottery problem but a disagreement between kernel and checker: loud.
        recheck(self.view, [self.inst.mediators[i] for i in idx], self.inst.mediators[chair], "lottery")
        score = self.inst.evaluate(idx, chair).objective_int
        if score < self.threshold:
            out.append(f"objective {score} is below the floor {self.threshold}")
        return out


@dataclass(frozen=True)
class LotteryPanel:
    members: tuple[Seat, ...]  # chair first
    probability: Fraction
    objective: float
    tickets: int
    first_ticket: int

    @property
    def member_ids(self) -> list[str]:
        return [s.mediator_id for s in self.members]

    def as_dict(self) -> dict[str, Any]:
        return {
            "members": seats_json(self.members),
            "probability": float(self.probability),
            "probability_exact": str(self.probability),
            "objective": self.objective,
            "tickets": self.tickets,
            "first_ticket": self.first_ticket,
        }


@dataclass
class DisputeLottery:
    """A dispute's panel lottery as plain data (see the module docstring)."""

    dispute_id: str
    status: Status  # of the optimum: optimal | feasible | infeasible | timeout
    method: str
    floor: float
    seed: int
    tickets: int
    optimum: float | None = None
    threshold: float | None = None
    probabilities: dict[str, Fraction] = field(default_factory=dict)  # every eligible mediator
    panels: list[LotteryPanel] = field(default_factory=list)  # canonical order, as the tickets run
    drawn_ticket: int | None = None
    drawn: LotteryPanel | None = None
    minimum: Fraction | None = None  # smallest probability among mediators in some acceptable panel
    upper_bound: Fraction | None = None  # certified upper bound on that minimum
    max_ticket_deviation: Fraction | None = None
    proven: bool = True
    in_some_panel: int = 0
    seconds: float = 0.0
    locks: Locks = field(default_factory=Locks)  # the registrar's locks every panel keeps
    stopped: str | None = None  # "budget" or "cancelled" when the run was cut short (engine.STOPPED_BY_*)
    fixed: int = 0  # mediators whose chance a finished leximin level fixed (all of them unless stopped)
    levels: int = 0  # leximin levels finished

    @property
    def eligible(self) -> int:
        return len(self.probabilities)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dispute_id": self.dispute_id,
            "status": self.status,
            "method": self.method,
            "floor": self.floor,
            "optimum": self.optimum,
            "threshold": self.threshold,
            "eligible": self.eligible,
            "in_some_panel": self.in_some_panel,
            "probabilities": {mid: float(p) for mid, p in self.probabilities.items()},
            "minimum_probability": None if self.minimum is None else float(self.minimum),
            "minimum_probability_exact": None if self.minimum is None else str(self.minimum),
            "certified_upper_bound": None if self.upper_bound is None else str(self.upper_bound),
            "proven": self.proven,
            "panels": [p.as_dict() for p in self.panels],
            "tickets": self.tickets,
            "max_ticket_deviation": None if self.max_ticket_deviation is None else float(self.max_ticket_deviation),
            "seed": self.seed,
            "draw_rule": DRAW_RULE,
            "drawn": None if self.drawn is None else {"ticket": self.drawn_ticket, **self.drawn.as_dict()},
            # The form a recorded decision stores its locks in (matching.records.store.decision_from_panel).
            "locks": {
                "include": sorted(self.locks.include),
                "exclude": sorted(self.locks.exclude),
                "chair": self.locks.chair,
            },
            # Only in a run cut short: why, and how far the leximin levels got (the rest is not proven).
            **({"stopped": self.stopped, "levels_fixed": self.levels, "fixed": self.fixed} if self.stopped else {}),
        }

    def document(
        self,
        rule_set: RuleSet,
        inputs_sha256: Mapping[str, str],
        started_at: str,
        wall_seconds: float,
        time_limit: float,
        solver_seed: int,
    ) -> dict[str, Any]:
        """The lottery JSON (the command line's file and the app's download): the run block, with
        what is needed to draw the same lottery again, then ``as_dict()``."""
        settings = {
            "command": "lottery",
            "dispute": self.dispute_id,
            "floor": self.floor,
            "tickets": self.tickets,
            "method": self.method,
            "time_limit": time_limit,
            "solver_seed": solver_seed,
        }
        run = run_block(rule_set, self.seed, inputs_sha256, started_at, wall_seconds, settings, lottery_solver_label())
        return {"run": run, **self.as_dict()}

    @property
    def stop_note(self) -> str | None:
        """A plain sentence on what a run cut short kept, or None for a finished run."""
        if self.stopped is None:
            return None
        why = "you stopped it" if self.stopped == STOPPED_BY_USER else "its computing budget ran out"
        least = "" if self.minimum is None else f" The least chance is {float(self.minimum):.4f}"
        if least and self.upper_bound is not None:
            least += f"; it is proven that no lottery can raise the least chance above {float(self.upper_bound):.4f}"
        elif least:
            least += "; how much higher it could be is not proven yet"
        return (
            f"The lottery was stopped before its end because {why}. It kept {self.levels} finished level(s), "
            f"fixing the chances of {self.fixed} of the {self.in_some_panel} mediators found in some acceptable "
            f"panel; the others have at least the level reached so far, which is not proven to be the fairest."
            f"{least + '.' if least else ''}"
        )


def dispute_lottery(
    ws: Workspace,
    dispute_id: str,
    rule_set: RuleSet,
    floor: float = DEFAULT_FLOOR,
    seed: int = 0,
    tickets: int = DEFAULT_TICKETS,
    method: str = "leximin",
    config: SolveConfig | None = None,
    locks: Locks | None = None,
    progress: ProgressFactory | None = None,
    budget: Budget | None = None,
    cancel: CancelToken | None = None,
) -> DisputeLottery:
    """The fair lottery over the acceptable panels of one dispute that keep ``locks``, its tickets and
    the seeded draw. A lock naming a mediator not on the roster raises ``UnknownIdError``; locks that
    leave no panel give the ``infeasible`` status.

    The column generation stops when ``budget`` (default ``LOTTERY_BUDGET``) runs out or ``cancel``
    asks to; the lottery is then the best distribution so far, over checked panels, with its tickets
    and draw, the status ``feasible``, ``proven`` false and ``stopped``, ``levels`` and ``fixed``
    saying how far it got. A stop asked for before the optimum is known raises ``Cancelled``."""
    if not 0 <= floor <= 1:
        raise ArgumentError("floor must be between 0 and 1")
    if method not in METHODS:
        raise ArgumentError(f"unknown method {method!r}; one of {', '.join(METHODS)}")
    if tickets < 1:
        raise ArgumentError("tickets must be at least 1")
    locks = locks or Locks()
    for mid in sorted(locks.include | locks.exclude | ({locks.chair} if locks.chair else set())):
        ws.check_mediator(mid)
    started = time.perf_counter()
    config = config or SolveConfig(candidates=1, time_limit=DEFAULT_TIME_LIMIT, seed=0)
    view = ws.view(ws.dispute(dispute_id), rule_set)
    inst = encode(ws, view)
    ids = inst.ids
    result = DisputeLottery(dispute_id, Status.INFEASIBLE, method, floor, seed, tickets, locks=locks)
    result.probabilities = {mid: Fraction(0) for mid in sorted(ids)}
    best = solve_instance(inst, SolveConfig(candidates=1, time_limit=config.time_limit, seed=config.seed), locks)
    if cancel is not None:
        cancel.check()
    result.status = best.status
    if best.objective_int is None or not best.panels:
        result.seconds = time.perf_counter() - started
        return result
    threshold = objective_threshold(best.objective_int, floor)
    result.optimum = best.objective_int / OBJECTIVE_SCALE
    result.threshold = threshold / OBJECTIVE_SCALE
    everyone = [i for i in range(inst.n) if ids[i] not in locks.exclude]
    bounds = upper_bounds(inst, everyone) if everyone else np.zeros(0)
    # The bounds ignore the locks, so they stay valid under them; locked-in mediators are kept anyway.
    reach = {i for i, bound in zip(everyone, bounds, strict=True) if bound >= threshold}
    if len(reach) > TIGHT_BOUNDS_FROM:
        # Every member of an acceptable panel reaches the floor with the others of that panel, so the
        # profile programme over those still in reach is enough (a second pass removed nobody more on the
        # demo disputes at 10,000 mediators).
        within = sorted(reach)
        tight = panel_bounds(inst, within)
        reach = {i for i, bound in zip(within, tight, strict=True) if bound >= threshold}
    protected = locked_indices({mid: i for i, mid in enumerate(ids)}, locks)
    pool = sorted(reach | set(protected), key=lambda i: ids[i])
    seeds = [list(p.members) for p in best.panels]
    oracle = DisputePanelOracle(inst, view, pool, threshold, config, locks, seeds)
    lottery = solve(oracle, method, progress, budget or LOTTERY_BUDGET, cancel)
    ticket_list = round_to_tickets(lottery, tickets)
    result.proven = lottery.proven and best.status == Status.OPTIMAL
    result.stopped = lottery.stopped
    result.levels = len(lottery.levels)
    result.fixed = sum(len(level.agents) for level in lottery.levels)
    if lottery.stopped is not None:
        result.status = Status.FEASIBLE  # a valid lottery, not proven to be the fairest
    result.minimum, result.upper_bound = lottery.minimum, lottery.upper_bound
    result.in_some_panel = len(lottery.covered)
    result.max_ticket_deviation = max(ticket_list.deviations(lottery.marginals), default=Fraction(0))
    for a, p in enumerate(lottery.marginals):
        result.probabilities[ids[pool[a]]] = p
    result.panels = _panels(inst, oracle, lottery, ticket_list)
    result.drawn_ticket = draw_ticket(ticket_list.m, seed)
    result.drawn = result.panels[ticket_list.panel_of(result.drawn_ticket)]
    result.seconds = time.perf_counter() - started
    return result


def _panels(inst: PanelInstance, oracle: DisputePanelOracle, lottery: Lottery, tickets: Tickets) -> list[LotteryPanel]:
    out = []
    for j, (panel, prob) in enumerate(zip(lottery.panels, lottery.probabilities, strict=True)):
        idx = oracle.members(panel)
        chair = oracle.chair(idx)
        assert chair is not None  # checked by the oracle's problems()
        seats = tuple(
            Seat(inst.mediators[i].mediator_id, Role.CHAIR if i == chair else Role.MEMBER)
            for i in order_panel(inst, idx, chair)
        )
        out.append(
            LotteryPanel(
                members=seats,
                probability=prob,
                objective=inst.evaluate(idx, chair).objective,
                tickets=tickets.counts[j],
                first_ticket=tickets.first_ticket(j),
            )
        )
    return out
