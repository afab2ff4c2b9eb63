import { segmentCounter } from '../channels/sms/segments';
import type { RouteSpec } from '../http/routes';

/**
 * The reply box's SMS counter as a browser script: the server's own counting function, compiled,
 * so the count shown while typing is the count the server checks on sending.
 */
export const SMS_SEGMENTS_SCRIPT = `'use strict';\nwindow.hotlineCountSegments = (${segmentCounter.toString()})();\n`;

/** `/assets/sms-segments.js`, which public/console.js uses on case pages. */
export function replyCounterRoutes(): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/assets/sms-segments.js',
      access: { public: true, reason: 'static script: the SMS segment counter; holds no data' },
      handler: (_req, res) => {
        res.type('text/javascript').set('Cache-Control', 'public, max-age=86400').send(SMS_SEGMENTS_SCRIPT);
      },
    },
  ];
}
