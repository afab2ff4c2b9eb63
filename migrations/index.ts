import type { Migration } from 'kysely';
import * as coreSchema from './20261127_0001_core_schema';
import * as smsIntake from './20261127_0002_sms_intake';
import * as statsRollup from './20261127_0003_stats_rollup';
import * as webIntake from './20261127_0004_web_intake';
import * as cannedReplies from './20261127_0005_canned_replies';
import * as inboxIndex from './20261127_0006_inbox_index';
import * as referralsAndNotifications from './20261127_0007_referrals_and_notifications';
import * as consentRecord from './20261202_0008_consent_record';
import * as statsCellKey from './20261202_0009_stats_cell_key';
import * as catchUpLandedSchemas from './20261202_0011_catch_up_landed_schemas';
import * as organisationTimeZone from './20261202_0012_organisation_time_zone';
import * as peopleAndChannels from './20261202_0013_people_and_channels';
import * as attachments from './20261202_0014_attachments';
import * as voice from './20261202_0015_voice';
import * as voiceCallbacks from './20261202_0016_voice_callbacks';
import * as dataRights from './20261202_0017_data_rights';
import * as erasureCallCopies from './20261202_0018_erasure_call_copies';

/** Every migration, by name, in the order it runs. A test checks this list against the folder. */
export const migrations: Record<string, Migration> = {
  '20261127_0001_core_schema': coreSchema,
  '20261127_0002_sms_intake': smsIntake,
  '20261127_0003_stats_rollup': statsRollup,
  '20261127_0004_web_intake': webIntake,
  '20261127_0005_canned_replies': cannedReplies,
  '20261127_0006_inbox_index': inboxIndex,
  '20261127_0007_referrals_and_notifications': referralsAndNotifications,
  '20261202_0008_consent_record': consentRecord,
  '20261202_0009_stats_cell_key': statsCellKey,
  '20261202_0011_catch_up_landed_schemas': catchUpLandedSchemas,
  '20261202_0012_organisation_time_zone': organisationTimeZone,
  '20261202_0013_people_and_channels': peopleAndChannels,
  '20261202_0014_attachments': attachments,
  '20261202_0015_voice': voice,
  '20261202_0016_voice_callbacks': voiceCallbacks,
  '20261202_0017_data_rights': dataRights,
  '20261202_0018_erasure_call_copies': erasureCallCopies,
};
