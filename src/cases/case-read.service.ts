// Reads of cases the console makes beside the case work service (a case page's timeline, a
// redirect's check that the case is still in scope). Console files call these, never the
// repositories.

/** A case by reference within a scope, or undefined. */
export { findCaseId, findCaseInScope } from './case-query.repository';
/** A case's events of the given types, oldest first. */
export { listCaseEvents } from './case-event.repository';
