import { z } from 'zod';

// The JSON API's bodies and paths for merging two people and undoing a merge.

/** `POST /api/v1/cases/{reference}/merge`: the other case, whose worker is this case's worker. */
export const mergePeopleBody = z.strictObject({ other_reference: z.string().trim().min(1).max(40) });

/** A merge named in a path. */
export const mergeIdParam = z.object({ id: z.string().uuid() });
