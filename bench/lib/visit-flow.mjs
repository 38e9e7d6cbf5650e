// A visit from check-in to finish, one request at a time, shared by every autocannon connection
// (bench/platform.mjs: the `full-visit` scenario, and the visit steps of `mixed-day`).
//
// autocannon resets a connection's context at every loop, so the visits in flight live here: each
// request takes the next visit that is ready for its next step (or checks a new patient in), and its
// answer moves that visit on. A patient is checked in by one visit at a time (a second check-in of
// the same patient is refused by the API).

export const BENCH_VISIT_REASON = 'Bench: full visit';

/** The steps after check-in: who sends each and what it sends. */
const STEPS = [
  { as: 'nurse', query: 'mutation ($v: ID!) { startTriage(visitId: $v) { id state } }' },
  { as: 'nurse', query: 'mutation ($v: ID!) { recordVitals(visitId: $v, vitals: { temperatureC: 37.4, heartRate: 82, systolic: 124, diastolic: 79, spo2: 98 }) { id state } }' },
  { as: 'nurse', query: 'mutation ($v: ID!) { sendToDoctor(visitId: $v) { id state } }' },
  { as: 'doctor', query: 'mutation ($v: ID!) { startConsultation(visitId: $v) { id state } }' },
  {
    as: 'doctor',
    query:
      'mutation ($v: ID!) { recordConsultation(visitId: $v, input: { notes: "Viral upper respiratory infection; fluids and rest", ' +
      'diagnoses: [{ code: "J06.9", description: "Acute upper respiratory infection" }], ' +
      'prescriptions: [{ drug: "Paracetamol", dose: "1 g", route: "oral", frequency: "every 8 hours", durationDays: 5 }] }) { id state } }',
  },
  { as: 'doctor', query: 'mutation ($v: ID!) { completeConsultation(visitId: $v) { id state } }' },
  { as: 'office', query: 'mutation ($v: ID!) { finishVisit(visitId: $v) }' },
];
const CHECK_IN = `mutation ($p: ID!) { checkIn(patientId: $p, reason: "${BENCH_VISIT_REASON}") { id state } }`;
/** Requests per visit: the check-in and every step. */
export const REQUESTS_PER_VISIT = STEPS.length + 1;

/**
 * @param {string[]} patientIds patients free to check in (none with a current visit)
 * @param {{ office: string, nurse: string, doctor: string }} tokens
 * @param {number} inFlight how many visits move at once (the clinic's rooms)
 */
export function visitFlow(patientIds, tokens, inFlight) {
  let free = [...patientIds];
  /** visits waiting for their next step: { visitId, patientId, step } */
  let ready = [];
  let moving = 0;
  const counts = { finished: 0, failed: 0, started: 0 };

  /** The body and headers of the next visit step, or undefined when every visit is waiting for an answer. */
  function next() {
    let visit = ready.shift();
    if (!visit) {
      if (moving >= inFlight || free.length === 0) return undefined;
      visit = { visitId: undefined, patientId: free.shift(), step: -1 };
      moving += 1;
    }
    const { as, query } = visit.step === -1 ? { as: 'office', query: CHECK_IN } : STEPS[visit.step];
    const variables = visit.step === -1 ? { p: visit.patientId } : { v: visit.visitId };
    return { visit, token: tokens[as], body: JSON.stringify({ query, variables }) };
  }

  /** The answer to a step: the visit moves on, finishes (its patient is free again) or is dropped. */
  function answered(visit, status, body) {
    const ok = status === 200 && !body.includes('"errors"');
    if (!ok) {
      counts.failed += 1;
      moving -= 1; // left in the queue for clearBenchVisits
      return false;
    }
    if (visit.step === -1) {
      visit.visitId = JSON.parse(body).data.checkIn.id;
      counts.started += 1;
    }
    visit.step += 1;
    if (visit.step === STEPS.length) {
      counts.finished += 1;
      moving -= 1;
      free.push(visit.patientId);
    } else {
      ready.push(visit);
    }
    return true;
  }

  /**
   * After a run: autocannon stops with answers outstanding, so the visits in flight are unknown.
   * The caller clears them from the queue (clearBenchVisits) and names the patients free again.
   */
  function reset(freeIds) {
    free = [...freeIds];
    ready = [];
    moving = 0;
  }

  // what a connection asks when every visit is waiting for its answer
  return { next, answered, reset, counts, idleToken: tokens.nurse };
}

/** An autocannon request that runs visit steps one after another (`request` for `platform.mjs`'s run). */
export function visitStepRequest(flow, onError) {
  return {
    method: 'POST',
    path: '/graphql',
    setupRequest(request, context) {
      const step = flow.next();
      // nothing ready (every visit waits for its answer): ask for the queue size, a cheap read
      context.visit = step?.visit;
      return {
        ...request,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${step?.token ?? flow.idleToken}` },
        body: step?.body ?? JSON.stringify({ query: '{ queueSize }' }),
      };
    },
    onResponse(status, body, context) {
      if (context.visit) {
        if (!flow.answered(context.visit, status, body)) onError(body);
      } else if (status !== 200 || body.includes('"errors"')) {
        onError(body);
      }
    },
  };
}

/**
 * The bench's visits still in the queue after a run (the run stops between steps): each is taken
 * out the way the state machine allows, cancelled before the doctor, finished after.
 */
export async function clearBenchVisits(gql, tokens) {
  // autocannon hangs up at the end of a run; the services still finish the steps they were sent
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const { queue } = await gql('{ queue { id state reason } }', {}, tokens.nurse);
  let cleared = 0;
  for (const visit of queue.filter((v) => v.reason === BENCH_VISIT_REASON)) {
    await takeOut(gql, tokens, visit.id, visit.state);
    cleared += 1;
  }
  return cleared;
}

/** One visit out of the queue from `state`; the board may lag a step behind, so a refusal naming the visit's real state is followed once. */
async function takeOut(gql, tokens, visitId, state, retried = false) {
  const v = { v: visitId };
  try {
    if (['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR'].includes(state)) {
      await gql('mutation ($v: ID!) { cancelVisit(visitId: $v, reason: "bench run ended") }', v, tokens.office);
    } else {
      if (state === 'WITH_DOCTOR') await gql('mutation ($v: ID!) { completeConsultation(visitId: $v) { id } }', v, tokens.doctor);
      await gql('mutation ($v: ID!) { finishVisit(visitId: $v) }', v, tokens.office);
    }
  } catch (error) {
    // finished meanwhile by a step still in flight when the run ended
    if (/NOT_FOUND/.test(error.message)) return;
    const actual = /visit is in (\w+)/.exec(error.message)?.[1];
    if (retried || !actual || actual === state) throw error;
    await takeOut(gql, tokens, visitId, actual, true);
  }
}
