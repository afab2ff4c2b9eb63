// The audit log as the rest of the hotline writes it: routes record through here, never through
// the repository (see .dependency-cruiser.cjs).

/** Appends one entry to the audit log. */
export { recordAudit } from './audit.repository';
