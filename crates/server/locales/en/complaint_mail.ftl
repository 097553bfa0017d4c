# Complaint e-mails (issue 7): to the complainant and, on escalation, to staff.
email-complaint-received-subject = [{ $receipt_no }] Your complaint has been received
email-complaint-received-body =
    Dear { $name },
    We have received your complaint; its receipt number is { $receipt_no }. We will contact you within 1 working day and give our decision by { $decision_deadline }.
    You can follow its progress on the complaint tracking page with the receipt number and the last 4 digits of your phone number.
email-complaint-acknowledged-subject = [{ $receipt_no }] Your complaint is being handled
email-complaint-acknowledged-body =
    Dear { $name },
    Your complaint (receipt { $receipt_no }) has been assigned; we will give our decision by { $decision_deadline }.
email-complaint-extended-subject = [{ $receipt_no }] Complaint deadline extended
email-complaint-extended-body =
    Dear { $name },
    For the following reason the deadline of your complaint (receipt { $receipt_no }) is extended to { $to_days } days after receipt, that is by { $decision_deadline }:
    { $reason }
email-complaint-decided-subject = [{ $receipt_no }] Decision on your complaint
email-complaint-decided-body =
    Dear { $name },
    Our decision on your complaint (receipt { $receipt_no }):
    { $decision }
    If you are not satisfied you may turn to the acquiring bank, UnionPay (95516), the People's Bank of China (12363), market regulation (12315), a consumer association, mediation, or the courts.
email-complaint-escalated-subject = [{ $receipt_no }] Complaint deadline reminder
email-complaint-escalated-body =
    Complaint { $receipt_no } (status: { $status }) must be decided by { $decision_deadline }.
complaint-linked-repair = Repair order (ticket { $number })
complaint-link-repair = Or link a repair order id (leave empty to link the ticket above)
complaint-step-extended = Deadline extended to { $days } days after receipt: { $reason }
