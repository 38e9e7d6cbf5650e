/** Arrange helpers for visit tests (shared with tests/services): real API calls, failing the test on any error. */
export { clinicSnapshot, ok, registerPatient, STEPS, visitIn, type Team } from '@clinicult/testing';
