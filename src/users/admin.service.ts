// The administration pages' reads and writes of users, organisations, API tokens and the audit
// log. The console calls these, never the repository (see .dependency-cruiser.cjs).

export {
  /** Every API token, or one user's, newest first. */
  listApiTokens,
  /** A page of the audit log, filtered by action and subject. */
  listAudit,
  /** Colleagues a case may be assigned to within an organisation. */
  listAssignableColleagues,
  /** Every organisation, for the admin pages. */
  listOrganisations,
  /** Every user with their organisation. */
  listUsers,
  /** Revokes a token (only the owner's when `owner` is given); false when there is none. */
  revokeApiToken,
  /** Disables a user at a time, or enables them (null); false when there is none. */
  setUserDisabled,
} from './admin.repository';
