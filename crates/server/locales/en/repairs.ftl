# Repair and field service (issue 6).
binding-end-loaned-out = Loaner lent (identity moved to the loaner)
binding-end-loaner-returned = Loaner returned (identity moved back)
email-loaner-overdue-subject = Loaner { $sn } is overdue
email-loaner-overdue-body =
    The loaner { $sn } lent to { $merchant } was due back by { $due_at } and has not been returned; please follow up.
email-ticket-low-rating-subject = Ticket { $number } was rated { $stars } stars
email-ticket-low-rating-body =
    The merchant rated the service on ticket { $number } { $stars } stars: { $comment }
    Please follow up with the merchant and record the outcome in the follow-up queue.
fb-title = Confirm and rate the service
fb-ticket = Ticket
fb-stars = Rating (1–5 stars)
fb-comment = Comment (optional)
fb-hint = Rating confirms the fix and closes the ticket; without a confirmation it closes itself after 3 working days.
fb-submit = Submit rating
fb-thanks = Thank you for your rating:
fb-closed = This ticket closed itself and can no longer be rated. If the problem persists, please report it again.
fb-follow-ups-title = Low-rating follow-ups
fb-follow-ups-intro = Ratings of 1–2 stars are followed up with the merchant by a supervisor, who records the outcome.
fb-follow-ups-empty = No low ratings wait for a follow-up.
fb-follow-up-note = Follow-up note
fb-follow-up-done = Mark followed up
rep-tech-suggested-first = { $name } (suggested · { $point } · { $load } open)
rep-tech-suggested = { $name } ({ $point } · { $load } open)
