//! SLA engine tests: hand-computed clocks (each expected value derived in a comment), policy
//! documents, escalations, the late-fix notice, and property laws.
//!
//! Unless a test says otherwise the calendar is the product default: the built-in national
//! schedule (2020–2026 loaded), Monday–Friday 08:00–18:00 (600 working minutes a day),
//! make-up days (调休上班) on Monday's hours. The built-in policies (minutes):
//!
//! | | first response | next update | resolution |
//! |---|---|---|---|
//! | P1 | 60 around the clock | 600 working | 240 around the clock |
//! | P2 | 1200 working | 600 working | 1800 working from the first response |
//! | P3 | 600 working | 600 working | 1800 working |
//! | P4 | 600 working | 600 working | 1200 working |

use std::sync::OnceLock;

use proptest::prelude::*;

use super::clock::around_the_clock;
use super::sla::{MAX_RULES, MAX_TARGET_MINUTES};
use super::*;
use crate::FieldError;
use crate::Timestamp;
use crate::calendar::{
    Calendar, DayOverride, HolidaySchedule, LocalDate, MinuteOfDay, OverrideLayer,
};
use crate::ids::ServicePointId;
use crate::registry::RiskLevel;
use TicketStatus as S;

/// `YYYY-MM-DD HH:MM` Shanghai local time.
fn at(s: &str) -> Timestamp {
    let (d, t) = s.split_once(' ').expect("date and time");
    LocalDate::parse(d)
        .expect("date")
        .at(MinuteOfDay::parse(t).expect("time"))
}

fn show(ts: Option<Timestamp>) -> String {
    ts.map_or("none".to_owned(), |t| t.to_shanghai_display())
}

fn national() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(Calendar::national)
}

fn hist(entries: &[(&str, TicketStatus)]) -> StatusHistory {
    StatusHistory::new(
        entries
            .iter()
            .map(|(t, s)| StatusChange::new(at(t), *s))
            .collect(),
    )
    .expect("history in order")
}

/// A ticket's clock inputs, instants as `YYYY-MM-DD HH:MM`.
struct Ticket {
    history: StatusHistory,
    first_response: Option<Timestamp>,
    last_update: Option<Timestamp>,
    resolved: Option<Timestamp>,
}

impl Ticket {
    fn new(entries: &[(&str, TicketStatus)]) -> Self {
        Self {
            history: hist(entries),
            first_response: None,
            last_update: None,
            resolved: None,
        }
    }
    fn responded(mut self, t: &str) -> Self {
        self.first_response = Some(at(t));
        self.last_update = Some(at(t));
        self
    }
    fn updated(mut self, t: &str) -> Self {
        self.last_update = Some(at(t));
        self
    }
    fn resolved(mut self, t: &str) -> Self {
        self.resolved = Some(at(t));
        self
    }
    fn inputs(&self) -> ClockInputs<'_> {
        ClockInputs {
            history: &self.history,
            first_response_at: self.first_response,
            last_update_at: self.last_update,
            resolved_at: self.resolved,
        }
    }
    fn clocks(&self, cal: &Calendar, policy: &SlaPolicy, now: &str) -> Clocks {
        compute_clocks(cal, policy, &self.inputs(), at(now))
    }
    fn clocks_p(&self, p: Priority, now: &str) -> Clocks {
        self.clocks(national(), &SlaPolicy::builtin(p), now)
    }
}

fn assert_clock(c: &Clock, state: ClockState, deadline: &str, elapsed: i64, remaining: i64) {
    assert_eq!(c.state, state, "{:?} state: {c:?}", c.kind);
    assert_eq!(show(c.deadline), deadline, "{:?} deadline", c.kind);
    assert_eq!(c.elapsed_minutes, elapsed, "{:?} elapsed", c.kind);
    assert_eq!(c.remaining_minutes, remaining, "{:?} remaining", c.kind);
    assert_eq!(c.target_minutes - c.elapsed_minutes, c.remaining_minutes);
}

// ---- hand-computed clocks ---------------------------------------------------------------------

#[test]
fn spring_festival_2026_p3() {
    // 2026 notice: Sat 14 Feb worked (调休), Sun 15 – Mon 23 Feb off, Sat 28 Feb worked.
    // Created Fri 13 Feb 16:00, triaged and answered at 16:10.
    let t = Ticket::new(&[("2026-02-13 16:00", S::New), ("2026-02-13 16:10", S::Open)])
        .responded("2026-02-13 16:10");
    let c = t.clocks_p(Priority::P3, "2026-02-13 17:00");
    // First response stopped at 16:10 after 10 working minutes. The deadline it had: 590 left,
    // Fri 16:10–18:00 = 110 (480 left), Sat 14 Feb (make-up day, Monday's hours) 08:00 + 480 =
    // 16:00 — the same as 600 from 16:00.
    assert_clock(
        &c.first_response,
        ClockState::Met,
        "2026-02-14 16:00",
        10,
        590,
    );
    assert_eq!(c.first_response.stopped_at, Some(at("2026-02-13 16:10")));
    assert!(!c.first_response.counting);
    // Resolution 1800 from Fri 16:00: Fri 120 (1680 left), Sat 14 600 (1080 left), 15–23 Feb
    // off, Tue 24 600 (480 left), Wed 25 08:00 + 480 = 16:00. At 17:00: 60 used.
    assert_clock(
        &c.resolution,
        ClockState::Running,
        "2026-02-25 16:00",
        60,
        1740,
    );
    assert!(c.resolution.counting && !c.resolution.provisional);
    // Next update 600 from the reply at 16:10: Fri 110 (490 left), Sat 14 08:00 + 490 = 16:10.
    assert_clock(
        &c.next_update,
        ClockState::Running,
        "2026-02-14 16:10",
        50,
        550,
    );
    assert_eq!(next_deadline(&c), Some(at("2026-02-14 16:10")));

    // Mid-holiday, Sat 21 Feb 12:00: nothing has counted since Sat 14 18:00.
    let c = t.clocks_p(Priority::P3, "2026-02-21 12:00");
    // Resolution: Fri 120 + Sat 14 600 = 720 used.
    assert_clock(
        &c.resolution,
        ClockState::Running,
        "2026-02-25 16:00",
        720,
        1080,
    );
    // Next update: due Sat 14 16:10 and nobody wrote: breached, 110 + 600 = 710 used.
    assert_clock(
        &c.next_update,
        ClockState::Breached,
        "2026-02-14 16:10",
        710,
        -110,
    );
    assert!(c.any_breached());
    // The breached next-update clock still counts, so it is still the next deadline.
    assert_eq!(next_deadline(&c), Some(at("2026-02-14 16:10")));
}

#[test]
fn first_response_due_on_the_make_up_saturday_exactly() {
    // Unanswered P3 created Fri 13 Feb 2026 16:00: Fri 120 + Sat 14 Feb 08:00 + 480 = 16:00.
    let t = Ticket::new(&[("2026-02-13 16:00", S::New)]);
    let c = t.clocks_p(Priority::P3, "2026-02-14 16:00");
    assert_clock(
        &c.first_response,
        ClockState::Running,
        "2026-02-14 16:00",
        600,
        0,
    );
    let c = t.clocks_p(Priority::P3, "2026-02-14 16:01");
    assert_clock(
        &c.first_response,
        ClockState::Breached,
        "2026-02-14 16:00",
        601,
        -1,
    );
    // The next-update clock does not exist before the first response.
    assert_eq!(c.next_update.state, ClockState::Pending);
    assert_eq!(c.next_update.deadline, None);
    // Answered on Tue 24 Feb at 08:30: 600 by Sat 16:00, + Sat 16:00–18:00 120, + Tue 30.
    let t = t.responded("2026-02-24 08:30");
    let c = t.clocks_p(Priority::P3, "2026-02-24 09:00");
    assert_clock(
        &c.first_response,
        ClockState::Breached,
        "2026-02-14 16:00",
        750,
        -150,
    );
    assert_eq!(c.first_response.stopped_at, Some(at("2026-02-24 08:30")));
}

#[test]
fn national_day_2025() {
    // 2025 notice: Wed 1 – Wed 8 Oct off, Sun 28 Sep and Sat 11 Oct worked.
    // Created Tue 30 Sep 15:00, answered 15:30.
    let t = Ticket::new(&[("2025-09-30 15:00", S::New), ("2025-09-30 15:30", S::Open)])
        .responded("2025-09-30 15:30");
    let c = t.clocks_p(Priority::P3, "2025-10-05 12:00");
    // P3 resolution 1800: Tue 15–18 180 (1620 left), 1–8 Oct off, Thu 9 600 (1020), Fri 10
    // 600 (420), Sat 11 (make-up) 08:00 + 420 = 15:00.
    assert_clock(
        &c.resolution,
        ClockState::Running,
        "2025-10-11 15:00",
        180,
        1620,
    );
    // Next update 600 from 15:30: Tue 150 (450 left), Thu 9 Oct 08:00 + 450 = 15:30.
    assert_clock(
        &c.next_update,
        ClockState::Running,
        "2025-10-09 15:30",
        150,
        450,
    );
    // P4 resolution 1200: Tue 180, Thu 9 600 (420 left), Fri 10 08:00 + 420 = 15:00.
    let c = t.clocks_p(Priority::P4, "2025-10-05 12:00");
    assert_clock(
        &c.resolution,
        ClockState::Running,
        "2025-10-10 15:00",
        180,
        1020,
    );
}

#[test]
fn make_up_sundays() {
    // Sun 28 Sep 2025 is worked: a P3 created Fri 26 Sep 14:00 gets Fri 240, Sat 27 off,
    // Sun 28 08:00 + 360 = 14:00.
    let t = Ticket::new(&[("2025-09-26 14:00", S::New)]);
    let c = t.clocks_p(Priority::P3, "2025-09-26 14:00");
    assert_eq!(show(c.first_response.deadline), "2025-09-28 14:00");
    // Sun 4 Jan 2026 is worked (元旦 1–3 Jan off): a P3 created Wed 31 Dec 2025 16:00 gets Wed
    // 120, Thu 1 – Sat 3 off, Sun 4 08:00 + 480 = 16:00. Across the year end, settled: 2026's
    // notice is loaded.
    let t = Ticket::new(&[("2025-12-31 16:00", S::New)]);
    let c = t.clocks_p(Priority::P3, "2026-01-02 10:00");
    assert_clock(
        &c.first_response,
        ClockState::Running,
        "2026-01-04 16:00",
        120,
        480,
    );
    assert!(!c.first_response.provisional);
    // Its resolution 1800: Wed 120, Sun 4 600 (1080 left), Mon 5 600 (480), Tue 6 08:00 + 480.
    assert_eq!(show(c.resolution.deadline), "2026-01-06 16:00");
}

#[test]
fn overnight() {
    // P4 created Mon 2 Mar 2026 17:30: 30 minutes Monday, Tue 08:00 + 570 = 17:30.
    let t = Ticket::new(&[("2026-03-02 17:30", S::New)]);
    let c = t.clocks_p(Priority::P4, "2026-03-02 23:00");
    assert_clock(
        &c.first_response,
        ClockState::Running,
        "2026-03-03 17:30",
        30,
        570,
    );
    // Created at 20:00, after hours: counting starts Tue 08:00, so 600 ends at 18:00 Tue and
    // the resolution's 1200 at Wed 18:00.
    let t = Ticket::new(&[("2026-03-02 20:00", S::New)]);
    let c = t.clocks_p(Priority::P4, "2026-03-03 07:59");
    assert_clock(
        &c.first_response,
        ClockState::Running,
        "2026-03-03 18:00",
        0,
        600,
    );
    assert_eq!(show(c.resolution.deadline), "2026-03-04 18:00");
    // At 18:00 exactly the clock is due, not late; a minute later it is breached although no
    // working minute has passed (remaining stays 0 until Wed 08:00).
    let c = t.clocks_p(Priority::P4, "2026-03-03 18:00");
    assert_eq!(c.first_response.state, ClockState::Running);
    let c = t.clocks_p(Priority::P4, "2026-03-03 19:00");
    assert_clock(
        &c.first_response,
        ClockState::Breached,
        "2026-03-03 18:00",
        600,
        0,
    );
    let c = t.clocks_p(Priority::P4, "2026-03-04 08:45");
    assert_eq!(c.first_response.remaining_minutes, -45);
    // A reply at 19:00, after the 18:00 deadline, is late.
    let late = Ticket::new(&[("2026-03-02 20:00", S::New), ("2026-03-03 19:00", S::Open)])
        .responded("2026-03-03 19:00");
    let c = late.clocks_p(Priority::P4, "2026-03-03 20:00");
    assert_clock(
        &c.first_response,
        ClockState::Breached,
        "2026-03-03 18:00",
        600,
        0,
    );
    // Seconds: created 17:59:30 counts from 18:00 (rounded up) — so from Tue 08:00.
    let t = StatusHistory::created(at("2026-03-02 17:59").plus_secs(30), S::New);
    let inputs = ClockInputs {
        history: &t,
        first_response_at: None,
        last_update_at: None,
        resolved_at: None,
    };
    let c = compute_clocks(
        national(),
        &SlaPolicy::builtin(Priority::P4),
        &inputs,
        at("2026-03-02 20:00"),
    );
    assert_eq!(show(c.first_response.deadline), "2026-03-03 18:00");
}

#[test]
fn end_of_2026_is_provisional() {
    // 2027's notice is not loaded: 26 Dec 2026 onwards is provisional, and so is 1 Jan 2027
    // (closed provisionally as New Year's Day). P3 created Thu 31 Dec 2026 16:00: Thu 120,
    // Fri 1 Jan off (provisional), Sat 2 / Sun 3 weekend, Mon 4 Jan 08:00 + 480 = 16:00.
    let t = Ticket::new(&[("2026-12-31 16:00", S::New)]);
    let c = t.clocks_p(Priority::P3, "2026-12-31 17:00");
    assert_eq!(show(c.first_response.deadline), "2027-01-04 16:00");
    assert!(c.first_response.provisional);
    // P4 created Thu 24 Dec 10:00: Thu 480, Fri 25 08:00 + 120 = 10:00 — settled days only.
    let t2 = Ticket::new(&[("2026-12-24 10:00", S::New)]);
    let c = t2.clocks_p(Priority::P4, "2026-12-24 11:00");
    assert_eq!(show(c.first_response.deadline), "2026-12-25 10:00");
    assert!(!c.first_response.provisional);
    // Its resolution (1200): Thu 480, Fri 25 600 (120 left), Mon 28 08:00 + 120 = 10:00 —
    // 28 Dec is provisional.
    assert_eq!(show(c.resolution.deadline), "2026-12-28 10:00");
    assert!(c.resolution.provisional);
    // Around-the-clock clocks are never provisional.
    let c = t.clocks_p(Priority::P1, "2026-12-31 16:30");
    assert_eq!(show(c.first_response.deadline), "2026-12-31 17:00");
    assert!(!c.first_response.provisional);

    // Loading 2027's notice (hypothetical here: 1–4 Jan off) settles the clock and moves it:
    // Thu 120, Fri 1 – Mon 4 off, Tue 5 Jan 08:00 + 480 = 16:00. Same inputs, new calendar.
    let mut schedule = HolidaySchedule::builtin();
    schedule.merge(
        HolidaySchedule::parse(
            "year 2027\nsource test notice\noff 2027-01-01..2027-01-04 元旦 New Year's Day\n",
        )
        .expect("schedule"),
    );
    let cal = Calendar::builder().schedule(schedule).build();
    let c = t.clocks(&cal, &SlaPolicy::builtin(Priority::P3), "2026-12-31 17:00");
    assert_eq!(show(c.first_response.deadline), "2027-01-05 16:00");
    assert!(!c.first_response.provisional);
}

/// Mon 2 Mar 2026 09:00 created, 09:30 triaged and answered, Tue 3 Mar 10:00 waiting on the
/// merchant, Thu 5 Mar 14:00 back to open.
fn paused_ticket() -> Ticket {
    Ticket::new(&[
        ("2026-03-02 09:00", S::New),
        ("2026-03-02 09:30", S::Open),
        ("2026-03-03 10:00", S::WaitingMerchant),
        ("2026-03-05 14:00", S::Open),
    ])
    .responded("2026-03-02 09:30")
}

#[test]
fn pause_and_resume_from_the_history() {
    let t = paused_ticket();
    // While paused (Wed 4 Mar 12:00): resolution used Mon 09–18 540 + Tue 08–10 120 = 660;
    // paused Tue 10–18 480 + Wed 08–12 240 = 720. No deadline while paused.
    let c = t.clocks_p(Priority::P3, "2026-03-04 12:00");
    assert_clock(&c.resolution, ClockState::Paused, "none", 660, 1140);
    assert_eq!(c.resolution.paused_minutes, 720);
    assert!(!c.resolution.counting);
    // The next-update clock (600 from Mon 09:30) ran out before the pause: Mon 09:30–18:00
    // 510, Tue 08:00 + 90 = 09:30, and it ran on until 10:00: breached, and stays breached
    // while paused.
    assert_clock(
        &c.next_update,
        ClockState::Breached,
        "2026-03-03 09:30",
        630,
        -30,
    );
    assert!(!c.next_update.counting);
    assert_eq!(next_deadline(&c), None, "nothing counts while waiting");

    // Resumed (Thu 5 Mar 15:00): paused Tue 480 + Wed 600 + Thu 08–14 360 = 1440. 1140 left at
    // Thu 14:00: Thu 14–18 240 (900), Fri 6 600 (300), Mon 9 08:00 + 300 = 13:00.
    let c = t.clocks_p(Priority::P3, "2026-03-05 15:00");
    assert_clock(
        &c.resolution,
        ClockState::Running,
        "2026-03-09 13:00",
        720,
        1080,
    );
    assert_eq!(c.resolution.paused_minutes, 1440);
    // Without the pause it would have been due Thu 5 Mar 09:00 (540 + 600 + 600 + 60).
    let unpaused = Ticket::new(&[("2026-03-02 09:00", S::New), ("2026-03-02 09:30", S::Open)])
        .responded("2026-03-02 09:30");
    let c2 = unpaused.clocks_p(Priority::P3, "2026-03-03 10:00");
    assert_eq!(show(c2.resolution.deadline), "2026-03-05 09:00");
    // The first response is unaffected: met after 30 minutes.
    assert_eq!(c.first_response.state, ClockState::Met);
    assert_eq!(c.first_response.elapsed_minutes, 30);

    // Waiting for parts does not pause by default: the same history with waiting_parts
    // counts through (deadline Thu 5 Mar 09:00, breached by Thu 15:00).
    let parts = Ticket::new(&[
        ("2026-03-02 09:00", S::New),
        ("2026-03-02 09:30", S::Open),
        ("2026-03-03 10:00", S::WaitingParts),
        ("2026-03-05 14:00", S::Open),
    ])
    .responded("2026-03-02 09:30");
    let c = parts.clocks_p(Priority::P3, "2026-03-05 15:00");
    assert_eq!(show(c.resolution.deadline), "2026-03-05 09:00");
    assert_eq!(c.resolution.state, ClockState::Breached);
    assert_eq!(c.resolution.paused_minutes, 0);
}

#[test]
fn priority_change_recomputes_from_the_history() {
    let t = paused_ticket();
    let doc = SlaDocument::builtin();
    let facts = |priority| SelectionFacts {
        priority,
        category: Category::Hardware,
        risk_level: Some(RiskLevel::Low),
        service_point: None,
    };
    let deadline = |p| {
        let sel = doc.select(&facts(p));
        assert_eq!(sel.rule, None);
        assert_eq!(sel.policy.code().as_str(), format!("default_{}", p.code()));
        t.clocks(national(), sel.policy, "2026-03-05 15:00")
            .resolution
            .deadline
    };
    // P3: Mon 9 Mar 13:00 (see pause_and_resume_from_the_history).
    assert_eq!(show(deadline(Priority::P3)), "2026-03-09 13:00");
    // Lowered to P4 (1200): Mon 540 + Tue 120 = 660 before the pause (540 left), Thu 14–18
    // 240 (300 left), Fri 6 08:00 + 300 = 13:00.
    assert_eq!(show(deadline(Priority::P4)), "2026-03-06 13:00");
    // Raised to P2 (1800 from the first response, Mon 09:30): Mon 510 + Tue 120 = 630, Thu
    // 240 (870), Fri 600 (1470), Mon 9 08:00 + 330 = 13:30.
    assert_eq!(show(deadline(Priority::P2)), "2026-03-09 13:30");
    // Raised to P1 (240 around the clock, pauses honoured): Mon 09:00 + 240 = 13:00 Mon —
    // long breached.
    let c = t.clocks(
        national(),
        doc.select(&facts(Priority::P1)).policy,
        "2026-03-05 15:00",
    );
    assert_eq!(show(c.resolution.deadline), "2026-03-02 13:00");
    assert_eq!(c.resolution.state, ClockState::Breached);
    assert_eq!(c.resolution.basis, Basis::AroundTheClock);
    // And back: P3 again gives exactly the first answer (nothing was stored).
    assert_eq!(show(deadline(Priority::P3)), "2026-03-09 13:00");
}

#[test]
fn policy_change_recomputes() {
    let t = paused_ticket();
    // The provider extends P3's resolution to 2400 working minutes (4 days) in its stored
    // document: 600 more than Mon 9 Mar 13:00 → Mon 13–18 300, Tue 10 08:00 + 300 = 13:00.
    let mut json: serde_json::Value =
        serde_json::from_str(&SlaDocument::builtin().to_json()).expect("json");
    json["policies"][2]["resolution"]["target"]["minutes"] = 2400.into();
    let doc = SlaDocument::from_json(&json.to_string()).expect("edited document");
    let p3_code = PolicyCode::parse("code", "default_p3").expect("code");
    let longer = doc.policy(&p3_code).expect("p3");
    assert_eq!(longer.clock(ClockKind::Resolution).target().minutes(), 2400);
    let c = t.clocks(national(), longer, "2026-03-05 15:00");
    assert_eq!(show(c.resolution.deadline), "2026-03-10 13:00");
    // The same through the constructors: an edited clock spec.
    let p3 = SlaPolicy::builtin(Priority::P3);
    let spec = p3.clock(ClockKind::Resolution);
    let edited = p3.clone().with_clock(
        ClockKind::Resolution,
        ClockSpec::new(
            "resolution",
            Target::new("resolution.target.minutes", Basis::Working, 2400).expect("target"),
            spec.pause_statuses().to_vec(),
            spec.escalations().to_vec(),
        )
        .expect("spec"),
    );
    assert_eq!(&edited, longer);
    // The provider stops pausing on waiting_merchant: the wait counts again, so the deadline
    // is the unpaused Thu 5 Mar 09:00, and at Thu 15:00 Mon 540 + Tue 600 + Wed 600 + Thu
    // 08–15 420 = 2160 are used, 360 over.
    let no_pause = p3.clone().with_clock(
        ClockKind::Resolution,
        ClockSpec::new(
            "resolution",
            spec.target(),
            vec![S::WaitingQuote, S::InTransit],
            spec.escalations().to_vec(),
        )
        .expect("spec"),
    );
    let c = t.clocks(national(), &no_pause, "2026-03-05 15:00");
    assert_clock(
        &c.resolution,
        ClockState::Breached,
        "2026-03-05 09:00",
        2160,
        -360,
    );
    assert_eq!(c.resolution.paused_minutes, 0);
}

#[test]
fn calendar_change_recomputes() {
    let t = paused_ticket();
    // The provider closes Fri 6 Mar 2026 (staff training): Thu 14–18 240 (900 left), Fri
    // closed, Mon 9 600 (300 left), Tue 10 08:00 + 300 = 13:00.
    let closed = OverrideLayer::new("provider").with(
        LocalDate::parse("2026-03-06").expect("date"),
        DayOverride::Closed,
        "staff training",
    );
    let cal = national().with_layer(closed);
    let c = t.clocks(&cal, &SlaPolicy::builtin(Priority::P3), "2026-03-05 15:00");
    assert_eq!(show(c.resolution.deadline), "2026-03-10 13:00");
    // Opening Sat 7 Mar instead (make-up hours 08–18) pulls it back: Thu 240, Fri 600, Sat 7
    // 08:00 + 300 = 13:00.
    let open = OverrideLayer::new("provider").with(
        LocalDate::parse("2026-03-07").expect("date"),
        DayOverride::Open,
        "stock-take",
    );
    let c = t.clocks(
        &national().with_layer(open),
        &SlaPolicy::builtin(Priority::P3),
        "2026-03-05 15:00",
    );
    assert_eq!(show(c.resolution.deadline), "2026-03-07 13:00");
}

#[test]
fn p1_around_the_clock_through_the_spring_festival() {
    // P1 created Tue 17 Feb 2026 23:30 (a holiday), triaged and answered 00:10, waiting on the
    // merchant 01:00–02:00.
    let t = Ticket::new(&[
        ("2026-02-17 23:30", S::New),
        ("2026-02-18 00:10", S::Open),
        ("2026-02-18 01:00", S::WaitingMerchant),
        ("2026-02-18 02:00", S::Open),
    ])
    .responded("2026-02-18 00:10");
    let c = t.clocks_p(Priority::P1, "2026-02-18 04:00");
    // First response 60 around the clock from 23:30 → 00:30; answered at 00:10 after 40.
    assert_clock(
        &c.first_response,
        ClockState::Met,
        "2026-02-18 00:30",
        40,
        20,
    );
    // Resolution 240: 23:30 + 240 = 03:30, + the 60-minute pause = 04:30. At 04:00: 23:30–01:00
    // 90 + 02:00–04:00 120 = 210 used, 60 paused.
    assert_clock(
        &c.resolution,
        ClockState::Running,
        "2026-02-18 04:30",
        210,
        30,
    );
    assert_eq!(c.resolution.paused_minutes, 60);
    assert!(!c.resolution.provisional);
    // P1's next update is on working time (600): from 00:10 on Wed 18 Feb, a holiday until
    // Mon 23: Tue 24 Feb 08:00 + 600 = 18:00.
    assert_eq!(c.next_update.basis, Basis::Working);
    assert_eq!(show(c.next_update.deadline), "2026-02-24 18:00");
    assert_eq!(next_deadline(&c), Some(at("2026-02-18 04:30")));

    // A loaner restored service at 03:00 (the ticket stays open for the repair): resolution
    // met after 90 + 60 = 150.
    let t = t.resolved("2026-02-18 03:00");
    let c = t.clocks_p(Priority::P1, "2026-02-18 05:00");
    assert_clock(&c.resolution, ClockState::Met, "2026-02-18 04:30", 150, 90);
    assert_eq!(c.resolution.stopped_at, Some(at("2026-02-18 03:00")));
    // The next-update clock keeps running: the repair is still open.
    assert_eq!(c.next_update.state, ClockState::Running);
}

#[test]
fn p2_resolution_counts_from_the_first_response() {
    // P2 created Mon 2 Mar 2026 10:00. First response 1200: Mon 10–18 480 (720), Tue 600
    // (120), Wed 4 Mar 08:00 + 120 = 10:00.
    let t = Ticket::new(&[("2026-03-02 10:00", S::New)]);
    let c = t.clocks_p(Priority::P2, "2026-03-03 12:00");
    assert_clock(
        &c.first_response,
        ClockState::Running,
        "2026-03-04 10:00",
        720,
        480,
    );
    // "72 hours after response": no resolution clock before the response.
    assert_clock(&c.resolution, ClockState::Pending, "none", 0, 1800);
    assert_eq!(c.resolution.started_at, None);
    // Answered Wed 11:00, an hour late. Resolution 1800 from then: Wed 11–18 420 (1380), Thu
    // 600 (780), Fri 600 (180), Mon 9 Mar 08:00 + 180 = 11:00.
    let t = Ticket::new(&[("2026-03-02 10:00", S::New), ("2026-03-04 11:00", S::Open)])
        .responded("2026-03-04 11:00");
    let c = t.clocks_p(Priority::P2, "2026-03-04 12:00");
    assert_clock(
        &c.first_response,
        ClockState::Breached,
        "2026-03-04 10:00",
        1260,
        -60,
    );
    assert_clock(
        &c.resolution,
        ClockState::Running,
        "2026-03-09 11:00",
        60,
        1740,
    );
    assert_eq!(c.resolution.started_at, Some(at("2026-03-04 11:00")));
}

#[test]
fn resolved_then_reopened() {
    // P3 created Mon 2 Mar 2026 09:00, answered 09:30, last update Tue 09:00, resolved Tue
    // 12:00, reopened Wed 4 Mar 10:00.
    let resolved = Ticket::new(&[
        ("2026-03-02 09:00", S::New),
        ("2026-03-02 09:30", S::Open),
        ("2026-03-03 12:00", S::Resolved),
    ])
    .responded("2026-03-02 09:30")
    .updated("2026-03-03 09:00")
    .resolved("2026-03-03 12:00");
    let c = resolved.clocks_p(Priority::P3, "2026-03-03 15:00");
    // Resolution met after Mon 540 + Tue 08–12 240 = 780; had it run on: 1020 more from Tue
    // 12:00 = Tue 360, Wed 600 (60 left), Thu 08:00 + 60 = 09:00.
    assert_clock(
        &c.resolution,
        ClockState::Met,
        "2026-03-05 09:00",
        780,
        1020,
    );
    // Next update from Tue 09:00 stopped by the resolution at 12:00: 180 used, met.
    assert_clock(
        &c.next_update,
        ClockState::Met,
        "2026-03-04 09:00",
        180,
        420,
    );
    assert_eq!(next_deadline(&c), None);

    let mut reopened = resolved;
    reopened
        .history
        .push(StatusChange::new(at("2026-03-04 10:00"), S::Open))
        .expect("in order");
    reopened.resolved = None;
    let c = reopened.clocks_p(Priority::P3, "2026-03-04 11:00");
    // The time spent resolved (Tue 12:00 – Wed 10:00) does not count: 780 + Wed 10–11 60 =
    // 840 used; 1020 left at Wed 10:00: Wed 10–18 480 (540), Thu 5 08:00 + 540 = 17:00.
    assert_clock(
        &c.resolution,
        ClockState::Running,
        "2026-03-05 17:00",
        840,
        960,
    );
    assert_eq!(c.resolution.paused_minutes, 0);
    // Next update: 180 before the resolution, 420 left at Wed 10:00 → 17:00 Wed.
    assert_eq!(show(c.next_update.deadline), "2026-03-04 17:00");
}

#[test]
fn a_budget_spent_exactly_as_a_pause_begins_is_held_not_breached() {
    // P3 created Mon 2 Mar 2026 08:00, unanswered; waiting on the merchant from 18:00, when
    // the first response's 600 minutes (08:00–18:00) are used up exactly.
    let mut t = Ticket::new(&[
        ("2026-03-02 08:00", S::New),
        ("2026-03-02 18:00", S::WaitingMerchant),
    ]);
    let p3 = SlaPolicy::builtin(Priority::P3);
    let c = t.clocks(national(), &p3, "2026-03-03 12:00");
    assert_clock(&c.first_response, ClockState::Paused, "none", 600, 0);
    // The at-deadline level waits for the clock to run again; so does "2 hours after".
    let fr = |n| key(ClockKind::FirstResponse, n, None);
    assert_eq!(
        due_keys(&t, &p3, "2026-03-03 12:00", &[]),
        ["first_response:1 2026-03-02 17:30"]
    );
    // Without the pause the clock runs on after 18:00: breached at once, though no working
    // minute passes before Tue 08:00.
    let open = Ticket::new(&[("2026-03-02 08:00", S::New)]);
    let c = open.clocks(national(), &p3, "2026-03-02 18:01");
    assert_clock(
        &c.first_response,
        ClockState::Breached,
        "2026-03-02 18:00",
        600,
        0,
    );
    // Resumed Tue 09:00: overdue from then (the budget ran out Mon 18:00); at 09:30 30 over.
    t.history
        .push(StatusChange::new(at("2026-03-03 09:00"), S::Open))
        .expect("in order");
    let c = t.clocks(national(), &p3, "2026-03-03 09:30");
    assert_clock(
        &c.first_response,
        ClockState::Breached,
        "2026-03-02 18:00",
        630,
        -30,
    );
    assert_eq!(
        due_keys(&t, &p3, "2026-03-03 11:00", &[fr(1)]),
        [
            "first_response:2 2026-03-03 09:00",
            "first_response:3 2026-03-03 11:00"
        ]
    );
}

#[test]
fn every_status_runs_pauses_or_stops_the_clocks() {
    let p3 = SlaPolicy::builtin(Priority::P3);
    for s in TicketStatus::ALL {
        // Created Mon 2 Mar 2026 09:00, answered 09:10, status `s` from 10:00, read at 12:00.
        let t = Ticket::new(&[("2026-03-02 09:00", S::New), ("2026-03-02 10:00", *s)])
            .responded("2026-03-02 09:10");
        let c = t.clocks(national(), &p3, "2026-03-02 12:00");
        let r = c.resolution;
        if s.stops_clocks() {
            assert_eq!(r.state, ClockState::Met, "{s}");
            assert_eq!(r.stopped_at, Some(at("2026-03-02 10:00")), "{s}");
            assert_eq!(r.elapsed_minutes, 60, "{s}");
        } else if DEFAULT_PAUSE_STATUSES.contains(s) {
            assert_eq!(r.state, ClockState::Paused, "{s}");
            assert_eq!((r.elapsed_minutes, r.paused_minutes), (60, 120), "{s}");
            assert_eq!(r.deadline, None);
        } else {
            assert_eq!(r.state, ClockState::Running, "{s}");
            assert_eq!((r.elapsed_minutes, r.paused_minutes), (180, 0), "{s}");
            assert!(r.counting);
        }
    }
}

#[test]
fn history_is_checked() {
    assert_eq!(StatusHistory::new(vec![]), Err(HistoryError::Empty));
    let a = StatusChange::new(at("2026-03-02 10:00"), S::New);
    let b = StatusChange::new(at("2026-03-02 09:00"), S::Open);
    assert_eq!(
        StatusHistory::new(vec![a, b]),
        Err(HistoryError::OutOfOrder { index: 1 })
    );
    let mut h = StatusHistory::created(a.at, S::New);
    assert_eq!(h.push(b), Err(HistoryError::OutOfOrder { index: 1 }));
    h.push(StatusChange::new(a.at, S::Open))
        .expect("same instant is fine");
    assert_eq!(h.current(), S::Open);
    assert_eq!(h.status_at(at("2026-03-02 09:59")), None);
    assert_eq!(h.status_at(a.at), Some(S::Open));
    assert_eq!(h.created_at(), a.at);
}

#[test]
fn instants_after_now_have_not_happened() {
    // Read at Mon 10:00, a response recorded for 11:00 is ignored (clock skew or a replay).
    let t = Ticket::new(&[
        ("2026-03-02 09:00", S::New),
        ("2026-03-02 11:00", S::Resolved),
    ])
    .responded("2026-03-02 11:00")
    .resolved("2026-03-02 11:00");
    let c = t.clocks_p(Priority::P3, "2026-03-02 10:00");
    assert_eq!(c.first_response.state, ClockState::Running);
    assert_eq!(c.first_response.elapsed_minutes, 60);
    assert_eq!(c.resolution.state, ClockState::Running);
    assert_eq!(c.next_update.state, ClockState::Pending);
    // A ticket created after `now` has only pending clocks.
    let c = t.clocks_p(Priority::P3, "2026-03-02 08:00");
    assert!(c.iter().all(|c| c.state == ClockState::Pending));
    assert_eq!(next_deadline(&c), None);
}

// ---- policies and selection ------------------------------------------------------------------

#[test]
fn builtin_document_roundtrips_through_json() {
    let doc = SlaDocument::builtin();
    let json = doc.to_json();
    let back = SlaDocument::from_json(&json).expect("builtin parses");
    assert_eq!(back, doc);
    assert_eq!(back.to_json(), json);
    for p in Priority::ALL {
        let policy = SlaPolicy::builtin(*p);
        assert_eq!(SlaPolicy::from_json(&policy.to_json()), Ok(policy.clone()));
        for k in ClockKind::ALL {
            let spec = policy.clock(*k);
            assert_eq!(spec.pause_statuses(), DEFAULT_PAUSE_STATUSES);
            assert_eq!(spec.escalations(), default_levels().as_slice());
        }
    }
    // The table of the module documentation.
    let minutes = |p, k| {
        let t = SlaPolicy::builtin(p).clock(k).target();
        (t.basis(), t.minutes())
    };
    use Basis::{AroundTheClock as A, Working as W};
    use ClockKind::{FirstResponse as F, NextUpdate as N, Resolution as R};
    assert_eq!(minutes(Priority::P1, F), (A, 60));
    assert_eq!(minutes(Priority::P1, R), (A, 240));
    assert_eq!(minutes(Priority::P1, N), (W, 600));
    assert_eq!(minutes(Priority::P2, F), (W, 1200));
    assert_eq!(minutes(Priority::P2, R), (W, 1800));
    assert_eq!(minutes(Priority::P3, F), (W, 600));
    assert_eq!(minutes(Priority::P3, R), (W, 1800));
    assert_eq!(minutes(Priority::P4, F), (W, 600));
    assert_eq!(minutes(Priority::P4, R), (W, 1200));
    assert_eq!(
        SlaPolicy::builtin(Priority::P2).resolution_start(),
        ResolutionStart::FirstResponse
    );
    assert_eq!(
        SlaPolicy::builtin(Priority::P3).resolution_start(),
        ResolutionStart::Created
    );
    assert_eq!(
        SlaPolicy::builtin(Priority::P1).name().as_str(),
        "P1 紧急 Emergency"
    );
}

const SP: &str = "0192f5c0-7a1b-7cc3-9d2e-1234567890ab";

fn custom_document() -> String {
    format!(
        r#"{{
  "policies": [
    {{"code": "std", "name": "标准 Standard",
      "first_response": {{"target": {{"basis": "working", "minutes": 600}}}},
      "next_update": {{"target": {{"basis": "working", "minutes": 600}}, "escalations": []}},
      "resolution": {{"target": {{"basis": "working", "minutes": 1800}},
        "pause_statuses": ["waiting_merchant"],
        "escalations": [
          {{"level": 2, "offset": {{"unit": "plain", "minutes": 0}}, "action": {{"type": "notify_supervisor"}}}},
          {{"level": 1, "offset": {{"unit": "working", "minutes": -60}}, "action": {{"type": "notify_assignee"}}}},
          {{"level": 3, "offset": {{"unit": "working", "minutes": 240}}, "action": {{"type": "reassign_to_team", "team": "Repair-Centre"}}}},
          {{"level": 4, "offset": {{"unit": "working", "minutes": 600}}, "action": {{"type": "raise_priority"}}}}
        ]}}}},
    {{"code": "vip", "name": "高风险商户 High risk",
      "first_response": {{"target": {{"basis": "around_the_clock", "minutes": 120}}}},
      "next_update": {{"target": {{"basis": "working", "minutes": 300}}}},
      "resolution": {{"target": {{"basis": "working", "minutes": 600}}}},
      "resolution_start": "first_response"}},
    {{"code": "sp_fast", "name": "网点快修 Service point",
      "first_response": {{"target": {{"basis": "working", "minutes": 60}}}},
      "next_update": {{"target": {{"basis": "working", "minutes": 600}}}},
      "resolution": {{"target": {{"basis": "working", "minutes": 600}}}}}}
  ],
  "rules": [
    {{"policy": "vip", "risk_levels": ["high"], "categories": ["hardware", "card_reading"]}},
    {{"policy": "sp_fast", "service_points": ["{SP}"], "priorities": ["p3", "p4"]}}
  ],
  "defaults": {{"p1": "vip", "p2": "std", "p3": "std", "p4": "std"}}
}}"#
    )
}

#[test]
fn custom_document_parses_with_defaults_filled_in() {
    let doc = SlaDocument::from_json(&custom_document()).expect("valid");
    let std = &doc.policies()[0];
    let fr = std.clock(ClockKind::FirstResponse);
    // Omitted pause statuses and escalations take the defaults; `[]` means none.
    assert_eq!(fr.pause_statuses(), DEFAULT_PAUSE_STATUSES);
    assert_eq!(fr.escalations(), default_levels().as_slice());
    assert!(std.clock(ClockKind::NextUpdate).escalations().is_empty());
    let res = std.clock(ClockKind::Resolution);
    assert_eq!(res.pause_statuses(), [S::WaitingMerchant]);
    assert!(!res.pauses_in(S::InTransit));
    // Levels are kept by number; the team code is lowercased.
    let levels: Vec<u8> = res.escalations().iter().map(|l| l.level()).collect();
    assert_eq!(levels, [1, 2, 3, 4]);
    assert_eq!(
        res.escalations()[2].action(),
        &EscalationAction::ReassignToTeam {
            team: Some(TeamCode::parse("team", "repair-centre").expect("team"))
        }
    );
    assert_eq!(res.escalations()[1].offset().unit(), OffsetUnit::Plain);
    assert_eq!(std.resolution_start(), ResolutionStart::Created);
    assert_eq!(
        doc.policies()[1].resolution_start(),
        ResolutionStart::FirstResponse
    );
    // And it roundtrips.
    assert_eq!(SlaDocument::from_json(&doc.to_json()), Ok(doc));
}

#[test]
fn selection_first_matching_rule_wins() {
    let doc = SlaDocument::from_json(&custom_document()).expect("valid");
    let sp = ServicePointId::parse("sp", SP).expect("id");
    let other_sp = ServicePointId::parse("sp", "0192f5c0-7a1b-7cc3-9d2e-000000000000").expect("id");
    let pick = |priority, category, risk_level, service_point| {
        let s = doc.select(&SelectionFacts {
            priority,
            category,
            risk_level,
            service_point,
        });
        (s.policy.code().as_str().to_owned(), s.rule)
    };
    let high = Some(RiskLevel::High);
    // Rule 0: high risk and a hardware or card-reading fault, whatever else.
    assert_eq!(
        pick(Priority::P3, Category::Hardware, high, Some(sp)),
        ("vip".into(), Some(0))
    );
    assert_eq!(
        pick(Priority::P4, Category::CardReading, high, None),
        ("vip".into(), Some(0))
    );
    // High risk but a printing fault at the service point, P3: rule 1.
    assert_eq!(
        pick(Priority::P3, Category::Printing, high, Some(sp)),
        ("sp_fast".into(), Some(1))
    );
    // Rule 1 needs P3/P4 and that service point.
    assert_eq!(
        pick(Priority::P2, Category::Printing, high, Some(sp)),
        ("std".into(), None)
    );
    assert_eq!(
        pick(Priority::P3, Category::Printing, None, Some(other_sp)),
        ("std".into(), None)
    );
    // A merchant without a risk level never matches a risk condition.
    assert_eq!(
        pick(Priority::P3, Category::Hardware, None, None),
        ("std".into(), None)
    );
    // No rule: the priority's default.
    assert_eq!(
        pick(Priority::P1, Category::Network, Some(RiskLevel::Low), None),
        ("vip".into(), None)
    );
}

/// Parses `json` expecting a field error; returns (field, rule code).
fn field_error(json: &str) -> (String, String) {
    match SlaDocument::from_json(json) {
        Err(SlaError::Field(f)) => (f.field, f.rule.code().to_owned()),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn bad_documents_name_the_field() {
    let good = custom_document();
    let cases: &[(&str, &str, &str, &str)] = &[
        // (replace, with, field, rule)
        (
            r#""basis": "working", "minutes": 600}}"#,
            r#""basis": "working", "minutes": 0}}"#,
            "policies[0].first_response.target.minutes",
            "range",
        ),
        (
            r#""minutes": 1800}"#,
            r#""minutes": -5}"#,
            "policies[0].resolution.target.minutes",
            "range",
        ),
        (
            r#""basis": "around_the_clock", "minutes": 120"#,
            r#""basis": "calendar", "minutes": 120"#,
            "policies[1].first_response.target.basis",
            "one_of",
        ),
        (
            r#""pause_statuses": ["waiting_merchant"]"#,
            r#""pause_statuses": ["waiting_merchant", "open"]"#,
            "policies[0].resolution.pause_statuses[1]",
            "invalid",
        ),
        (
            r#""pause_statuses": ["waiting_merchant"]"#,
            r#""pause_statuses": ["waiting_merchant", "waiting_merchant"]"#,
            "policies[0].resolution.pause_statuses[1]",
            "invalid",
        ),
        (
            r#""pause_statuses": ["waiting_merchant"]"#,
            r#""pause_statuses": ["sleeping"]"#,
            "policies[0].resolution.pause_statuses[0]",
            "one_of",
        ),
        (
            r#""level": 4,"#,
            r#""level": 1,"#,
            "policies[0].resolution.escalations[3].level",
            "invalid",
        ),
        (
            r#""level": 4,"#,
            r#""level": 0,"#,
            "policies[0].resolution.escalations[3].level",
            "range",
        ),
        (
            r#""unit": "working", "minutes": 600}"#,
            r#""unit": "working", "minutes": 99999999}"#,
            "policies[0].resolution.escalations[3].offset.minutes",
            "range",
        ),
        (
            r#""unit": "plain""#,
            r#""unit": "fortnights""#,
            "policies[0].resolution.escalations[0].offset.unit",
            "one_of",
        ),
        (
            r#"{"type": "raise_priority"}"#,
            r#"{"type": "page_the_ceo"}"#,
            "policies[0].resolution.escalations[3].action.type",
            "one_of",
        ),
        (
            r#"{"type": "notify_supervisor"}"#,
            r#"{"type": "notify_supervisor", "team": "x"}"#,
            "policies[0].resolution.escalations[0].action.team",
            "invalid",
        ),
        (
            r#""team": "Repair-Centre""#,
            r#""team": "repair centre""#,
            "policies[0].resolution.escalations[2].action.team",
            "pattern",
        ),
        (
            r#""code": "vip""#,
            r#""code": "std""#,
            "policies[1].code",
            "invalid",
        ),
        (
            r#""name": "标准 Standard""#,
            r#""name": "  ""#,
            "policies[0].name",
            "required",
        ),
        (
            r#""resolution_start": "first_response""#,
            r#""resolution_start": "whenever""#,
            "policies[1].resolution_start",
            "one_of",
        ),
        (
            r#"{"policy": "sp_fast""#,
            r#"{"policy": "nope""#,
            "rules[1].policy",
            "invalid",
        ),
        (
            r#""priorities": ["p3", "p4"]"#,
            r#""priorities": []"#,
            "rules[1].priorities",
            "invalid",
        ),
        (
            r#""priorities": ["p3", "p4"]"#,
            r#""priorities": ["p3", "p9"]"#,
            "rules[1].priorities[1]",
            "one_of",
        ),
        (
            r#""risk_levels": ["high"]"#,
            r#""risk_levels": ["extreme"]"#,
            "rules[0].risk_levels[0]",
            "one_of",
        ),
        (
            r#""service_points": [""#,
            r#""service_points": ["x"#,
            "rules[1].service_points[0]",
            "pattern",
        ),
        (
            r#""p4": "std""#,
            r#""p4": "gone""#,
            "defaults.p4",
            "invalid",
        ),
    ];
    for (from, to, field, rule) in cases {
        assert!(good.contains(from), "fixture contains {from}");
        let bad = good.replacen(from, to, 1);
        assert_eq!(
            field_error(&bad),
            ((*field).to_owned(), (*rule).to_owned()),
            "{from} → {to}"
        );
    }
    // Shape errors: not JSON, an unknown field, a missing field, a wrong type.
    for bad in [
        "not json".to_owned(),
        good.replacen(r#""rules""#, r#""rulez""#, 1),
        good.replacen(r#""defaults""#, r#""defaultz""#, 1),
        good.replacen(r#""minutes": 600"#, r#""minutes": "600""#, 1),
        good.replacen(r#""minutes": 600"#, r#""minutes": 1.5"#, 1),
    ] {
        let e = SlaDocument::from_json(&bad).expect_err("shape");
        assert!(matches!(e, SlaError::Json { .. }), "{e:?}");
        assert_eq!(e.to_field_error().field, "document");
    }
    // A policy on its own names fields without a prefix.
    let p = SlaPolicy::builtin(Priority::P3).to_json().replacen(
        r#""minutes":600"#,
        r#""minutes":0"#,
        1,
    );
    match SlaPolicy::from_json(&p) {
        Err(SlaError::Field(f)) => assert_eq!(
            f,
            FieldError::new(
                "first_response.target.minutes",
                crate::Rule::Range {
                    min: 1,
                    max: 527_040
                }
            )
        ),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn document_limits() {
    let p = SlaPolicy::builtin(Priority::P3);
    let code = |s| PolicyCode::parse("code", s).expect("code");
    let defaults = || PriorityDefaults {
        p1: code("default_p3"),
        p2: code("default_p3"),
        p3: code("default_p3"),
        p4: code("default_p3"),
    };
    assert!(SlaDocument::new(vec![p.clone()], vec![], defaults()).is_ok());
    let rule = SelectionRule::new("rules[0]", code("default_p3"), None, None, None, None)
        .expect("catch-all");
    let too_many = vec![rule; MAX_RULES + 1];
    assert_eq!(
        SlaDocument::new(vec![p.clone()], too_many, defaults())
            .expect_err("rules")
            .field,
        "rules"
    );
    let levels = (1..=11)
        .map(|n| {
            EscalationLevel::new(
                "l",
                n,
                Offset::new("o", OffsetUnit::Working, 0).expect("offset"),
                EscalationAction::NotifyAssignee,
            )
            .expect("level")
        })
        .collect();
    let target = Target::new("t", Basis::Working, 1).expect("target");
    assert_eq!(
        ClockSpec::new("resolution", target, vec![], levels)
            .expect_err("levels")
            .field,
        "resolution.escalations"
    );
    assert!(Target::new("t", Basis::Working, MAX_TARGET_MINUTES).is_ok());
    assert!(Target::new("t", Basis::Working, MAX_TARGET_MINUTES + 1).is_err());
    assert!(
        EscalationLevel::new(
            "l",
            100,
            Offset::new("o", OffsetUnit::Plain, 0).expect("offset"),
            EscalationAction::RaisePriority
        )
        .is_err()
    );
}

// ---- escalations -----------------------------------------------------------------------------

/// P3 created Mon 2 Mar 2026 09:00, answered 09:05, no update since.
fn escalating_ticket() -> Ticket {
    Ticket::new(&[("2026-03-02 09:00", S::New), ("2026-03-02 09:05", S::Open)])
        .responded("2026-03-02 09:05")
}

fn key(clock: ClockKind, level: u8, cycle: Option<&str>) -> EscalationKey {
    EscalationKey {
        clock,
        level,
        cycle: cycle.map(at),
    }
}

fn due_keys(t: &Ticket, policy: &SlaPolicy, now: &str, fired: &[EscalationKey]) -> Vec<String> {
    due_escalations(national(), policy, &t.inputs(), at(now), fired)
        .iter()
        .map(|d| format!("{} {}", d.key, show(Some(d.due_at))))
        .collect()
}

#[test]
fn escalations_fire_before_at_and_after_the_deadline_once() {
    let t = escalating_ticket();
    let p3 = SlaPolicy::builtin(Priority::P3);
    let cycle = at("2026-03-02 09:05").millis();
    // Next update (600 from Mon 09:05): Mon 09:05–18:00 535, Tue 08:00 + 65 = 09:05 Tue.
    //   level 1 at 570 used (30 before): Tue 08:35; level 2 at Tue 09:05; level 3 at 720
    //   (120 after): Tue 08:00 + 185 = 11:05.
    // Resolution (1800 from Mon 09:00): Mon 540, Tue 600, Wed 600 = 1740, Thu 08:00 + 60 =
    //   09:00 Thu 5 Mar. Level 1 at 1770: Thu 08:30; level 2 Thu 09:00; level 3 at 1920: Thu
    //   11:00. The first response was met: it escalates no further.
    assert!(due_keys(&t, &p3, "2026-03-03 08:34", &[]).is_empty());
    assert_eq!(
        due_keys(&t, &p3, "2026-03-03 08:35", &[]),
        [format!("next_update:1@{cycle} 2026-03-03 08:35")]
    );
    assert_eq!(
        due_keys(&t, &p3, "2026-03-03 11:05", &[]),
        [
            format!("next_update:1@{cycle} 2026-03-03 08:35"),
            format!("next_update:2@{cycle} 2026-03-03 09:05"),
            format!("next_update:3@{cycle} 2026-03-03 11:05"),
        ]
    );
    // Already fired keys are excluded: each level fires once.
    let fired = [
        key(ClockKind::NextUpdate, 1, Some("2026-03-02 09:05")),
        key(ClockKind::NextUpdate, 2, Some("2026-03-02 09:05")),
    ];
    assert_eq!(
        due_keys(&t, &p3, "2026-03-03 11:05", &fired),
        [format!("next_update:3@{cycle} 2026-03-03 11:05")]
    );
    let all_nu = [
        fired[0],
        fired[1],
        key(ClockKind::NextUpdate, 3, Some("2026-03-02 09:05")),
    ];
    assert!(due_keys(&t, &p3, "2026-03-04 17:59", &all_nu).is_empty());
    // Wed 23:00, overnight: the resolution has 60 minutes left; level 1 waits for Thu 08:30.
    assert!(due_keys(&t, &p3, "2026-03-04 23:00", &all_nu).is_empty());
    assert_eq!(
        next_escalation_at(
            national(),
            &p3,
            &t.inputs(),
            at("2026-03-04 23:00"),
            &all_nu
        ),
        Some(at("2026-03-05 08:30"))
    );
    assert_eq!(
        due_keys(&t, &p3, "2026-03-05 11:00", &all_nu),
        [
            "resolution:1 2026-03-05 08:30",
            "resolution:2 2026-03-05 09:00",
            "resolution:3 2026-03-05 11:00",
        ]
    );
    // The next instant, as storage indexes it: the earliest unfired level.
    assert_eq!(
        next_escalation_at(national(), &p3, &t.inputs(), at("2026-03-02 12:00"), &[]),
        Some(at("2026-03-03 08:35"))
    );
    // A due but unfired level is in the past: the scan picks it up.
    assert_eq!(
        next_escalation_at(national(), &p3, &t.inputs(), at("2026-03-03 12:00"), &[]),
        Some(at("2026-03-03 08:35"))
    );

    // An update at Tue 10:00 starts a new next-update cycle (600 from Tue 10:00: Tue 480, Wed
    // 08:00 + 120 = 10:00 Wed; level 1 at Wed 09:30). The old cycle's keys do not suppress it.
    let updated = escalating_ticket().updated("2026-03-03 10:00");
    let c2 = at("2026-03-03 10:00").millis();
    assert_eq!(
        due_keys(&updated, &p3, "2026-03-04 09:30", &all_nu),
        [format!("next_update:1@{c2} 2026-03-04 09:30")]
    );
}

#[test]
fn paused_and_stopped_clocks_do_not_escalate() {
    let p3 = SlaPolicy::builtin(Priority::P3);
    // Waiting on the merchant from Wed 4 Mar 12:00: the resolution had used Mon 540 + Tue 600 +
    // Wed 08–12 240 = 1380 of 1800, short of level 1 (1770): nothing due on Thu, and no next
    // instant for it while paused.
    let mut t = escalating_ticket();
    t.history
        .push(StatusChange::new(
            at("2026-03-04 12:00"),
            S::WaitingMerchant,
        ))
        .expect("in order");
    t.last_update = Some(at("2026-03-04 12:00"));
    let nu = |lvl| key(ClockKind::NextUpdate, lvl, Some("2026-03-04 12:00"));
    let fired = [nu(1), nu(2), nu(3)];
    assert!(due_keys(&t, &p3, "2026-03-05 11:00", &fired).is_empty());
    assert_eq!(
        next_escalation_at(national(), &p3, &t.inputs(), at("2026-03-05 11:00"), &fired),
        None
    );
    // Resolved: no clock escalates.
    let done = escalating_ticket().resolved("2026-03-03 10:00");
    let mut done = done;
    done.history
        .push(StatusChange::new(at("2026-03-03 10:00"), S::Resolved))
        .expect("in order");
    assert!(due_keys(&done, &p3, "2026-03-10 10:00", &[]).is_empty());
    assert_eq!(
        next_escalation_at(national(), &p3, &done.inputs(), at("2026-03-10 10:00"), &[]),
        None
    );
}

#[test]
fn plain_and_working_offsets_differ_across_the_night() {
    // Resolution target 1750 from Mon 2 Mar 09:00: Mon 540, Tue 600, Wed 600 = 1740, Thu
    // 08:00 + 10 = 08:10 Thu 5 Mar. "30 working minutes before" is 1720 used: Wed 08:00 +
    // (1720 − 1140 = 580) = 17:40 Wed; "30 plain minutes before" is 07:40 Thu.
    let p3 = SlaPolicy::builtin(Priority::P3);
    let level = |n, unit, minutes, action| {
        EscalationLevel::new(
            "l",
            n,
            Offset::new("o", unit, minutes).expect("offset"),
            action,
        )
        .expect("level")
    };
    let spec = ClockSpec::new(
        "resolution",
        Target::new("t", Basis::Working, 1750).expect("target"),
        DEFAULT_PAUSE_STATUSES.to_vec(),
        vec![
            level(
                1,
                OffsetUnit::Working,
                -30,
                EscalationAction::NotifyAssignee,
            ),
            level(
                2,
                OffsetUnit::Plain,
                -30,
                EscalationAction::NotifySupervisor,
            ),
            level(3, OffsetUnit::Plain, 60, EscalationAction::RaisePriority),
            level(
                4,
                OffsetUnit::Working,
                -5000,
                EscalationAction::NotifyAssignee,
            ),
        ],
    )
    .expect("spec");
    let policy = p3.with_clock(ClockKind::Resolution, spec);
    let t = escalating_ticket();
    let nu: Vec<EscalationKey> = (1..=3)
        .map(|l| key(ClockKind::NextUpdate, l, Some("2026-03-02 09:05")))
        .collect();
    // Level 4 (5000 before a 1750 target) is due from the start.
    assert_eq!(
        due_keys(&t, &policy, "2026-03-02 09:01", &nu),
        ["resolution:4 2026-03-02 09:00"]
    );
    let mut fired = nu.clone();
    fired.push(key(ClockKind::Resolution, 4, None));
    assert_eq!(
        due_keys(&t, &policy, "2026-03-04 17:40", &fired),
        ["resolution:1 2026-03-04 17:40"]
    );
    assert_eq!(
        due_keys(&t, &policy, "2026-03-05 09:10", &fired),
        [
            "resolution:1 2026-03-04 17:40",
            "resolution:2 2026-03-05 07:40",
            "resolution:3 2026-03-05 09:10",
        ]
    );
    let d = due_escalations(
        national(),
        &policy,
        &t.inputs(),
        at("2026-03-05 09:10"),
        &fired,
    );
    assert_eq!(d[2].action, EscalationAction::RaisePriority);
}

#[test]
fn escalation_keys_roundtrip() {
    let k = key(ClockKind::NextUpdate, 3, Some("2026-03-02 09:05"));
    assert_eq!(EscalationKey::parse("key", &k.code()), Ok(k));
    let r = key(ClockKind::Resolution, 2, None);
    assert_eq!(r.code(), "resolution:2");
    assert_eq!(EscalationKey::parse("key", "resolution:2"), Ok(r));
    for bad in [
        "",
        "resolution",
        "resolution:0",
        "resolution:100",
        "resolution:1@5",
        "next_update:1",
        "bedtime:1",
        "resolution:x",
    ] {
        assert!(EscalationKey::parse("key", bad).is_err(), "{bad}");
    }
}

// ---- late-fix notice --------------------------------------------------------------------------

#[test]
fn late_fix_notice_needs_a_reason_and_a_later_estimate() {
    let t = escalating_ticket();
    let p3 = SlaPolicy::builtin(Priority::P3);
    let res = |now| compute_clock(national(), &p3, ClockKind::Resolution, &t.inputs(), at(now));
    let th = DEFAULT_LATE_NOTICE_THRESHOLD_MINUTES;
    // Mon 12:00: 1800 − 180 = 1620 left: not late.
    let early = res("2026-03-02 12:00");
    assert!(!fix_will_be_late(&early, th));
    assert_eq!(
        late_fix_notice(
            &early,
            th,
            "parts",
            Some(at("2026-03-06 10:00")),
            at("2026-03-02 12:00")
        ),
        Err(LateNoticeError::NotLate)
    );
    // Thu 08:00: 60 left of the deadline Thu 09:00, under the 120 threshold.
    let now = at("2026-03-05 08:00");
    let risky = res("2026-03-05 08:00");
    assert_eq!(risky.remaining_minutes, 60);
    assert!(fix_will_be_late(&risky, th));
    let n = late_fix_notice(
        &risky,
        th,
        " 配件缺货 spare part out of stock ",
        Some(at("2026-03-06 10:00")),
        now,
    )
    .expect("notice");
    assert_eq!(n.reason.as_str(), "配件缺货 spare part out of stock");
    assert_eq!(n.deadline, Some(at("2026-03-05 09:00")));
    assert!(!n.breached);
    let field = |r: Result<LateFixNotice, LateNoticeError>| match r {
        Err(LateNoticeError::Field(f)) => (f.field, f.rule.code()),
        other => panic!("expected a field error, got {other:?}"),
    };
    assert_eq!(
        field(late_fix_notice(
            &risky,
            th,
            "  ",
            Some(at("2026-03-06 10:00")),
            now
        )),
        ("reason".to_owned(), "required")
    );
    assert_eq!(
        field(late_fix_notice(
            &risky,
            th,
            &"长".repeat(501),
            Some(at("2026-03-06 10:00")),
            now
        )),
        ("reason".to_owned(), "too_long")
    );
    assert_eq!(
        field(late_fix_notice(&risky, th, "parts", None, now)),
        ("new_estimate".to_owned(), "required")
    );
    assert_eq!(
        field(late_fix_notice(
            &risky,
            th,
            "parts",
            Some(at("2026-03-05 07:00")),
            now
        )),
        ("new_estimate".to_owned(), "invalid"),
        "before now"
    );
    assert_eq!(
        field(late_fix_notice(
            &risky,
            th,
            "parts",
            Some(at("2026-03-05 08:30")),
            now
        )),
        ("new_estimate".to_owned(), "invalid"),
        "before the deadline is not late"
    );
    // Breached (Thu 10:00): any estimate after now.
    let late = res("2026-03-05 10:00");
    assert_eq!(late.state, ClockState::Breached);
    let n = late_fix_notice(
        &late,
        th,
        "parts",
        Some(at("2026-03-05 10:30")),
        at("2026-03-05 10:00"),
    )
    .expect("notice");
    assert!(n.breached);
    assert_eq!(n.remaining_minutes, -60);
    // Resolved (late): nothing to announce.
    let fixed = escalating_ticket().resolved("2026-03-05 11:00");
    let c = compute_clock(
        national(),
        &p3,
        ClockKind::Resolution,
        &fixed.inputs(),
        at("2026-03-05 12:00"),
    );
    assert_eq!(c.state, ClockState::Breached);
    assert!(!fix_will_be_late(&c, th));
    // Pending (P2 before the response): no deadline, not late.
    let p2 = Ticket::new(&[("2026-03-02 10:00", S::New)]);
    let c = compute_clock(
        national(),
        &SlaPolicy::builtin(Priority::P2),
        ClockKind::Resolution,
        &p2.inputs(),
        at("2026-03-10 10:00"),
    );
    assert!(!fix_will_be_late(&c, th));
}

// ---- property laws ---------------------------------------------------------------------------

/// A random history: created (new) at a random instant of 2025–2026 (with seconds), then up
/// to 8 changes among running, pausing and resolved statuses, ending open.
fn arb_history() -> impl Strategy<Value = StatusHistory> {
    let statuses = prop::sample::select(vec![
        S::Open,
        S::WaitingMerchant,
        S::WaitingQuote,
        S::WaitingParts,
        S::InTransit,
        S::Resolved,
    ]);
    (
        0i64..(60 * 24 * 720),
        0i64..60_000,
        prop::collection::vec((0i64..4000, statuses), 0..8),
        0i64..4000,
    )
        .prop_map(|(start_min, ms, steps, last_gap)| {
            let base = at("2025-01-01 00:00").millis() + start_min * 60_000 + ms;
            let mut t = base;
            let mut changes = vec![StatusChange::new(Timestamp::from_millis(t), S::New)];
            for (gap, s) in steps {
                t += gap * 60_000 + ms / 7;
                changes.push(StatusChange::new(Timestamp::from_millis(t), s));
            }
            t += last_gap * 60_000;
            changes.push(StatusChange::new(Timestamp::from_millis(t), S::Open));
            StatusHistory::new(changes).expect("in order")
        })
}

fn arb_policy() -> impl Strategy<Value = SlaPolicy> {
    (1i64..6000, any::<bool>()).prop_map(|(minutes, working)| {
        let basis = if working {
            Basis::Working
        } else {
            Basis::AroundTheClock
        };
        SlaPolicy::builtin(Priority::P3).with_clock(
            ClockKind::Resolution,
            ClockSpec::new(
                "resolution",
                Target::new("t", basis, minutes).expect("target"),
                DEFAULT_PAUSE_STATUSES.to_vec(),
                default_levels(),
            )
            .expect("spec"),
        )
    })
}

fn resolution(h: &StatusHistory, policy: &SlaPolicy, now: Timestamp) -> Clock {
    let inputs = ClockInputs {
        history: h,
        first_response_at: None,
        last_update_at: None,
        resolved_at: None,
    };
    compute_clock(national(), policy, ClockKind::Resolution, &inputs, now)
}

/// Far after every history: the clock runs on in `open`.
fn far(h: &StatusHistory) -> Timestamp {
    h.changes()[h.changes().len() - 1]
        .at
        .plus_secs(400 * 86_400)
}

/// `h` with `[from, from + len)` spent waiting on the merchant (what was there is replaced),
/// then the status `h` had at `from + len`.
fn with_pause(h: &StatusHistory, from: Timestamp, len_min: i64) -> StatusHistory {
    let to = from.plus_secs(len_min * 60);
    let after = h.status_at(to).unwrap_or(S::Open);
    let mut out: Vec<StatusChange> = h
        .changes()
        .iter()
        .filter(|c| c.at < from)
        .copied()
        .collect();
    if out.is_empty() {
        out.push(StatusChange::new(from, S::New));
    }
    out.push(StatusChange::new(from, S::WaitingMerchant));
    out.push(StatusChange::new(to, after));
    out.extend(h.changes().iter().filter(|c| c.at > to).copied());
    StatusHistory::new(out).expect("in order")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// At its deadline a clock has used exactly its target, and is not yet breached; read
    /// earlier while running, it shows that deadline or (before a later pause) an earlier one.
    #[test]
    fn elapsed_at_the_deadline_is_the_target(h in arb_history(), policy in arb_policy(), frac in 0.0f64..1.0) {
        let target = policy.clock(ClockKind::Resolution).target().minutes();
        let c = resolution(&h, &policy, far(&h));
        let d = c.deadline.expect("the history ends open, so the clock runs");
        prop_assume!(d < Timestamp::MAX);
        let at_d = resolution(&h, &policy, d);
        prop_assert_eq!(at_d.elapsed_minutes, target);
        prop_assert_ne!(at_d.state, ClockState::Breached);
        let created = h.created_at();
        let probe = Timestamp::from_millis(
            created.millis() + ((d.millis() - created.millis()) as f64 * frac) as i64,
        );
        // Read earlier, a running clock projects its current status forward: later pauses
        // (or resolved spells) can only push the real deadline back.
        let mid = resolution(&h, &policy, probe);
        if mid.state == ClockState::Running {
            let projected = mid.deadline.expect("running");
            prop_assert!(projected <= d);
            if !h.changes().iter().any(|c| c.at > probe && c.at <= d) {
                prop_assert_eq!(projected, d);
            }
            prop_assert!(mid.remaining_minutes >= 0);
        }
        let later = resolution(&h, &policy, far(&h));
        prop_assert!(later.remaining_minutes <= 0);
        prop_assert_eq!(later.state, ClockState::Breached);
    }

    /// Adding a pause never moves a deadline earlier, never adds running time, never removes
    /// paused time.
    #[test]
    fn a_pause_never_moves_the_deadline_earlier(
        h in arb_history(),
        policy in arb_policy(),
        offset in 0i64..20_000,
        len in 1i64..5_000,
    ) {
        let from = h.created_at().plus_secs(offset * 60);
        let paused = with_pause(&h, from, len);
        let now = far(&h).max(far(&paused));
        let a = resolution(&h, &policy, now);
        let b = resolution(&paused, &policy, now);
        let (da, db) = (a.deadline.expect("runs"), b.deadline.expect("runs"));
        prop_assert!(db >= da, "{} → {}", da.to_rfc3339(), db.to_rfc3339());
        prop_assert!(b.elapsed_minutes <= a.elapsed_minutes);
        prop_assert!(b.paused_minutes >= a.paused_minutes);
    }

    /// Running and paused time never exceed the window; without resolved spells they fill it.
    #[test]
    fn elapsed_plus_paused_fills_the_window(h in arb_history(), policy in arb_policy(), extra in 0i64..10_000) {
        let now = h.changes()[h.changes().len() - 1].at.plus_secs(extra * 60);
        let c = resolution(&h, &policy, now);
        let cal = match c.basis {
            Basis::Working => national(),
            Basis::AroundTheClock => around_the_clock(),
        };
        let window = cal.working_minutes_between(h.created_at(), now);
        prop_assert!(c.elapsed_minutes + c.paused_minutes <= window);
        if h.changes().iter().all(|x| !x.status.stops_clocks()) {
            prop_assert_eq!(c.elapsed_minutes + c.paused_minutes, window);
        }
    }

    /// Around the clock with no pause, the deadline is the start (rounded up to the minute)
    /// plus the target.
    #[test]
    fn around_the_clock_is_plain_arithmetic(start in 0i64..(60 * 24 * 720), ms in 0i64..60_000, minutes in 1i64..20_000) {
        let created = Timestamp::from_millis(at("2025-01-01 00:00").millis() + start * 60_000 + ms);
        let h = StatusHistory::created(created, S::Open);
        let policy = SlaPolicy::builtin(Priority::P1);
        let policy = policy.clone().with_clock(
            ClockKind::Resolution,
            ClockSpec::new(
                "r",
                Target::new("t", Basis::AroundTheClock, minutes).expect("t"),
                vec![],
                vec![],
            ).expect("spec"),
        );
        let c = resolution(&h, &policy, created);
        let rounded = (created.millis() + 59_999).div_euclid(60_000) * 60_000;
        prop_assert_eq!(c.deadline, Some(Timestamp::from_millis(rounded + minutes * 60_000)));
    }

    /// Escalations fire once: with the due keys marked fired nothing is due again, and a key
    /// due now is still due (unless fired) later while the clock runs on.
    #[test]
    fn escalations_fire_once_and_stay_due(h in arb_history(), policy in arb_policy(), a in 0i64..20_000, b in 0i64..20_000) {
        let inputs = ClockInputs { history: &h, first_response_at: None, last_update_at: None, resolved_at: None };
        let last = h.changes()[h.changes().len() - 1].at;
        let (a, b) = (a.min(b), a.max(b));
        let now1 = last.plus_secs(a * 60);
        let now2 = last.plus_secs(b * 60);
        let due1 = due_escalations(national(), &policy, &inputs, now1, &[]);
        let keys: Vec<EscalationKey> = due1.iter().map(|d| d.key).collect();
        prop_assert!(due_escalations(national(), &policy, &inputs, now1, &keys).is_empty());
        let due2: Vec<EscalationKey> = due_escalations(national(), &policy, &inputs, now2, &[])
            .iter().map(|d| d.key).collect();
        for k in &keys {
            prop_assert!(due2.contains(k), "{} due at now1 but not at now2", k);
        }
        for d in &due1 {
            prop_assert!(d.due_at <= now1);
        }
        // The indexed instant is never after a due level's instant.
        if let Some(first) = due1.first() {
            let next = next_escalation_at(national(), &policy, &inputs, now1, &[]);
            prop_assert!(next.is_some_and(|n| n <= first.due_at));
        }
    }
}
