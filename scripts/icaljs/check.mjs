// Parses iCalendar files with Mozilla's ical.js and prints, per VEVENT, what it reads: one JSON object per line
// {"file","uid","start","end","status","sequence","organizer","attendees","recurrenceId"} with start/end as UTC instants (ISO 8601), then a last line
// {"file","events":N,"calendar":{name,method,refreshInterval,source}}. Exit 1 with a message when a file does not parse.
import fs from 'node:fs';
import ICAL from 'ical.js';

let failed = false;
for (const file of process.argv.slice(2)) {
  try {
    const cal = new ICAL.Component(ICAL.parse(fs.readFileSync(file, 'utf8')));
    for (const vtz of cal.getAllSubcomponents('vtimezone')) {
      ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
    }
    let events = 0;
    for (const vevent of cal.getAllSubcomponents('vevent')) {
      const event = new ICAL.Event(vevent);
      const utc = t => (t ? t.toJSDate().toISOString().replace('.000Z', 'Z') : null);
      if (event.startDate && !event.startDate.isDate && event.startDate.zone && event.startDate.zone.tzid !== 'UTC'
          && event.startDate.zone.tzid !== 'floating' && !ICAL.TimezoneService.has(event.startDate.zone.tzid)) {
        throw new Error(`event ${event.uid}: TZID ${event.startDate.zone.tzid} has no VTIMEZONE`);
      }
      console.log(JSON.stringify({
        file, uid: event.uid, start: utc(event.startDate), end: utc(event.endDate),
        status: vevent.getFirstPropertyValue('status'),
        sequence: vevent.getFirstPropertyValue('sequence'),
        organizer: vevent.getFirstPropertyValue('organizer'),
        attendees: vevent.getAllProperties('attendee').map(p => ({
          value: p.getFirstValue(), rsvp: p.getParameter('rsvp'), partstat: p.getParameter('partstat') })),
        recurrenceId: event.recurrenceId ? utc(event.recurrenceId) : null,
      }));
      events++;
    }
    const refresh = cal.getFirstPropertyValue('refresh-interval');
    console.log(JSON.stringify({
      file, events, calendar: {
        name: cal.getFirstPropertyValue('name'),
        method: cal.getFirstPropertyValue('method'),
        refreshInterval: refresh ? refresh.toString() : null,
        source: cal.getFirstPropertyValue('source'),
      },
    }));
    for (const vtz of cal.getAllSubcomponents('vtimezone')) {
      ICAL.TimezoneService.remove(vtz.getFirstPropertyValue('tzid'));
    }
  } catch (e) {
    console.error(`${file}: ical.js cannot read it: ${e.message}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
