// Canned replies: the console's routes and case page call these, never the repository.

export {
  /** Removes a canned reply; false when there is none. */
  deleteCannedReply,
  /** Adds a canned reply in a language. */
  insertCannedReply,
  /** The canned replies, of one language when given. */
  listCannedReplies,
} from './canned-replies.repository';
