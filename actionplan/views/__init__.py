"""Action plan pages, one module a page family: `access` (the plan-role rule), `board` (the
board, a priority area, a board pack), `reviews` (the quarterly reviews, final RAGs, freezing),
`updates` (an action's quarterly update) and `saving` (a form saved once to an open review).
The steward's, people's, plans' and spreadsheet pages are `actionplan.steward_views`,
`people_views`, `plan_views` and `plan_file_views`."""
