// A reader's notifications: listing, counting and marking them read. Routes and console pages
// call these, never the repository.

export {
  /** How many unread notifications a user has. */
  countUnreadOf,
  /** Whether a notification with this id belongs to this user. */
  isNotificationOf,
  /** A user's notifications, newest first. */
  listNotificationsOf,
  /** Marks a user's notices about one case read. */
  markCaseNotificationsRead,
  /** Marks one (or, with null, every) notification of a user read. */
  markNotificationsRead,
  /** Marks a user's notices about one subject (an erasure) read. */
  markSubjectNotificationsRead,
} from './notification.repository';
