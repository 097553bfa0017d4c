# Complaint clock rules page (issue 7).
crules-title = Complaint deadlines
crules-intro = Acknowledgement, decision period and extensions. The defaults follow the 2020 banking and insurance complaint rules: decide within 15 days of receipt, extendable to 30 days in complex cases and, with a manager's approval, to 60 days at most.
crules-saved = Complaint deadlines saved; open complaints are recomputed under the new rules.
crules-ack = Acknowledge within (working minutes)
crules-ack-hint = 600 working minutes are one working day (08:00–18:00).
crules-days = Decide within (days after receipt)
crules-steps = Extension steps
crules-steps-hint = Each step must be longer than the one before, 366 days at most; empty rows are not saved.
crules-step-days = Extend to (days)
crules-step-manager = Needs a manager's approval
