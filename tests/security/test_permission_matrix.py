"""Every URL of the project, for every role, GET and POST, against one table of expected outcomes.

Roles (columns): anonymous, the five roles, and a 街镇管理员 of another street (street_b). Every object
a URL points at belongs to street a (tests/security/matrix_world.py). Outcomes: L = redirect to the
login page, A = redirect to the admin's login page, R = another redirect (a success or a refusal shown
as a message on the next page), or the HTTP status. A POST sends no data: it shows what a role may try.

A URL pattern without a row fails `test_every_url_pattern_has_a_row`. To see what a new URL does, run
`MATRIX_DUMP=1 pytest tests/security/test_permission_matrix.py -s`, then decide what it *should* do.

Every HTML page that answers 200 is also checked for what the Content-Security-Policy forbids (inline
scripts, style attributes, event-handler attributes) and for a CSRF token in every POST form.
"""

import os
import re

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from tests.security.matrix_world import build_world

ROLES = ("anon", "center", "street", "street_b", "finance", "leader", "admin")

# fmt: off
MATRIX = {
    #                                                     GET: anon center street street_b finance leader admin | POST
    'home':                                              "L 200 200 200 200 R 200 | L 200 200 200 200 R 200",
    'login':                                             "200 R R R R R R | 200 R R R R R R",
    'logout':                                            "L 405 405 405 405 405 405 | L L L L L L L",
    'password_change':                                   "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'password_change_done':                              "L 200 200 200 200 200 200 | L 405 405 405 405 405 405",
    'jobs':                                              "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'job':                                               "L 200 404 404 404 404 404 | L 200 404 404 404 404 404",
    'job_file':                                          "L 200 404 404 404 404 404 | L 200 404 404 404 404 404",
    'job_restart':                                       "L 405 405 405 405 405 405 | L R 404 404 404 404 404",
    'healthz':                                           "200 200 200 200 200 200 200 | 405 405 405 405 405 405 405",
    'grids:overview':                                    "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'grids:tree':                                        "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'grids:list':                                        "L 200 200 200 200 200 200 | L 405 405 405 405 405 405",
    'grids:staff_list':                                  "L 200 200 200 200 200 200 | L 405 405 405 405 405 405",
    'grids:create':                                      "L 200 200 200 403 403 403 | L 200 200 200 403 403 403",
    'grids:detail':                                      "L 200 200 404 200 200 200 | L 200 200 404 200 200 200",
    'grids:edit':                                        "L 200 200 404 403 403 403 | L 200 200 404 403 403 403",
    'grids:retire':                                      "L 405 405 405 405 405 405 | L R R 404 403 403 403",
    'grids:reinstate':                                   "L 405 405 405 405 405 405 | L R R 404 403 403 403",
    'grids:staff_create':                                "L 200 200 404 403 403 403 | L 200 200 404 403 403 403",
    'grids:staff_edit':                                  "L 200 200 404 403 403 403 | L 200 200 404 403 403 403",
    'grids:staff_end':                                   "L 405 405 405 405 405 405 | L R R 404 403 403 403",
    'grids:export':                                      "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'grids:export_job':                                  "L 405 405 405 405 405 405 | L R R R R R R",
    'grids:import':                                      "L 200 403 403 403 403 403 | L 200 403 403 403 403 403",
    'grids:import_template':                             "L 200 403 403 403 403 403 | L 200 403 403 403 403 403",
'grids:import_preview':                              "L 200 403 403 403 403 403 | L R 403 403 403 403 403",
    'assessments:periods':                               "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'assessments:period_detail':                         "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'assessments:period_lock':                           "L 405 405 405 405 405 405 | L R 403 403 403 403 403",
    'assessments:period_unlock':                         "L 405 405 405 405 405 405 | L 403 403 403 403 403 R",
    'assessments:zero_complaint':                        "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'assessments:zero_complaint_export':                 "L 200 200 200 200 200 200 | L R R R R R R",
    'assessments:ratings':                               "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'assessments:rating_entry':                          "L 200 200 404 200 200 200 | L 200 200 404 403 403 403",
    'assessments:rating_fill':                           "L 405 405 405 405 405 405 | L 200 200 404 403 403 403",
    'assessments:rating_quota':                          "L R R 404 R R R | L 405 405 405 405 405 405",
    'assessments:ratings_export':                        "L 200 200 200 200 200 200 | L R R R R R R",
    'assessments:rating_history':                        "L 200 200 404 200 200 200 | L 200 200 404 200 200 200",
    'assessments:ratings_import':                        "L 200 200 200 403 403 403 | L 200 200 200 403 403 403",
'assessments:ratings_import_preview':                "L 404 404 404 403 403 403 | L R R R 403 403 403",
    'assessments:year_settings':                         "L 200 200 200 200 200 200 | L 200 403 403 403 403 200",
    'assessments:street_quotas':                         "L 200 403 403 403 403 200 | L 200 403 403 403 403 200",
    'assessments:complaints':                            "L 200 200 200 200 200 200 | L 405 405 405 405 405 405",
    'assessments:complaint_create':                      "L 200 403 403 403 403 403 | L 200 403 403 403 403 403",
    'assessments:unmatched_complaints':                  "L 200 403 403 403 403 403 | L 405 405 405 405 405 405",
    'assessments:unmatched_assign':                      "L 405 405 405 405 405 405 | L R 403 403 403 403 403",
    'assessments:unmatched_invalidate':                  "L 405 405 405 405 405 405 | L R 403 403 403 403 403",
    'assessments:complaint_detail':                      "L 200 200 404 200 200 200 | L 200 200 404 200 200 200",
    'assessments:complaint_assign':                      "L 405 405 405 405 405 405 | L R 403 404 403 403 403",
    'assessments:complaint_invalidate':                  "L 405 405 405 405 405 405 | L R 403 404 403 403 403",
    'assessments:complaint_restore':                     "L 405 405 405 405 405 405 | L R 403 404 403 403 403",
    'assessments:complaints_import':                     "L 200 403 403 403 403 403 | L 200 403 403 403 403 403",
'assessments:complaints_import_preview':             "L 404 403 403 403 403 403 | L R 403 403 403 403 403",
    'assessments:tickets':                               "L 200 200 200 200 200 200 | L 405 405 405 405 405 405",
    'assessments:ticket_create':                         "L 200 200 200 403 403 403 | L 200 200 200 403 403 403",
    'assessments:ticket_statistics':                     "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'assessments:tickets_export':                        "L 200 200 200 200 200 200 | L R R R R R R",
    'assessments:tickets_import':                        "L 200 200 200 403 403 403 | L 200 200 200 403 403 403",
'assessments:tickets_import_preview':                "L 404 404 404 403 403 403 | L R R R 403 403 403",
    'assessments:ticket_detail':                         "L 200 200 404 200 200 200 | L 200 200 404 200 200 200",
    'assessments:ticket_advance':                        "L 405 405 405 405 405 405 | L R R 404 403 403 403",
    'disbursements:budget':                              "L 200 403 403 200 200 200 | L 200 403 403 200 200 200",
    'disbursements:budget_detail':                       "L 200 403 403 200 200 403 | L 200 403 403 200 200 403",
    'disbursements:budget_sources':                      "L 405 405 405 405 405 405 | L R 403 403 403 403 403",
    'disbursements:budget_adjust':                       "L 405 405 405 405 405 405 | L R 403 403 403 403 403",
    'disbursements:batches':                             "L 200 200 200 200 200 200 | L 405 405 405 405 405 405",
    'disbursements:generate':                            "L 405 405 405 405 405 405 | L 404 403 403 403 403 403",
    'disbursements:correct':                             "L 405 405 405 405 405 405 | L 404 403 403 403 403 403",
    'disbursements:special_create':                      "L 200 403 403 403 403 403 | L 200 403 403 403 403 403",
    'disbursements:batch_detail':                        "L 200 200 404 200 200 200 | L 200 200 404 200 200 200",
    'disbursements:transition':                          "L 405 405 405 405 405 405 | L R 403 404 403 403 403",
    'disbursements:line_add':                            "L 405 405 405 405 405 405 | L R 403 404 403 403 403",
    'disbursements:line_delete':                         "L 405 405 405 405 405 405 | L R 403 404 403 403 403",
    'disbursements:lines_import':                        "L 200 403 403 403 403 403 | L 200 403 403 403 403 403",
'disbursements:lines_import_preview':                "L 404 403 403 403 403 403 | L R 403 403 403 403 403",
    'disbursements:export':                              "L 200 200 404 200 200 200 | L R R 404 R R R",
    'disbursements:notice':                              "L 200 200 404 200 200 200 | L 200 200 404 200 200 200",
    'disbursements:notice_workbook':                     "L 200 200 404 200 200 200 | L 200 200 404 200 200 200",
    'disbursements:queue':                               "L 403 403 403 200 403 403 | L 403 403 403 200 403 403",
    'disbursements:receipts':                            "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'disbursements:receipt':                             "L 200 200 404 200 200 200 | L 200 200 404 200 200 200",
    'disbursements:receipt_confirm':                     "L 405 405 405 405 405 405 | L 403 R 404 403 403 403",
    'disbursements:receipt_pass_on':                     "L 403 200 404 403 403 403 | L 403 200 404 403 403 403",
    'disbursements:receipt_correct':                     "L 405 405 405 405 405 405 | L 403 200 404 403 403 403",
    'disbursements:receipt_fix':                         "L 405 405 405 405 405 405 | L 403 200 404 403 403 403",
    'disbursements:receipt_scan':                        "L 200 200 404 200 200 200 | L 200 200 404 200 200 200",
    'disbursements:receipt_ledger':                      "L 200 200 404 200 200 200 | L 200 200 404 200 200 200",
    'reports:dashboard':                                 "L 200 403 403 200 200 200 | L 200 403 403 200 200 200",
    'reports:bulletin_latest':                           "L R R R R R R | L R R R R R R",
    'reports:bulletin':                                  "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'reports:bulletin_xlsx':                             "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'reports:bulletin_pdf':                              "L 200 200 200 200 200 200 | L 200 200 200 200 200 200",
    'reports:evaluations':                               "L 200 403 403 200 200 200 | L 200 403 403 200 200 200",
    'reports:self_evaluation':                           "L 200 403 403 200 200 200 | L 200 403 403 200 200 200",
    'reports:edit_evaluation':                           "L 200 403 403 403 403 200 | L 200 403 403 403 403 200",
    'reports:edit_indicator':                            "L 200 403 403 403 403 200 | L 200 403 403 403 403 200",
    'reports:self_evaluation_pdf':                       "L 200 403 403 200 200 200 | L 200 403 403 200 200 200",
    'reports:self_evaluation_pdf_job':                   "L 405 405 405 405 405 405 | L R 403 403 R R R",
    'reports:self_evaluation_xlsx':                      "L 200 403 403 200 200 200 | L 200 403 403 200 200 200",
    'reports:open_year':                                 "L 200 403 403 403 403 200 | L 200 403 403 403 403 200",
    'reports:create_evaluation':                         "L 405 405 405 405 405 405 | L R 403 403 403 403 R",
    'reports:finalise_evaluation':                       "L 405 405 405 405 405 405 | L R 403 403 403 R 403",
    'reports:reopen_evaluation':                         "L 405 405 405 405 405 405 | L 403 403 403 403 403 R",
    'admin:index':                                       "A A A A A A 200 | A A A A A A 200",
    'admin:login':                                       "200 200 200 200 200 200 R | 200 200 200 200 200 200 200",
    'admin:logout':                                      "A R R R R R 405 | A R R R R R L",
    'admin:password_change':                             "A A A A A A 200 | A A A A A A 200",
    'admin:password_change_done':                        "A A A A A A 200 | A A A A A A 405",
    'admin:autocomplete':                                "A A A A A A 403 | A A A A A A 405",
    'admin:jsi18n':                                      "A A A A A A 200 | A A A A A A 405",
    'admin:view_on_site':                                "A A A A A A 404 | A A A A A A 404",
    'admin:auth_group_changelist':                       "L A A A A A 200 | L A A A A A 200",
    'admin:auth_group_add':                              "L A A A A A 403 | L A A A A A 403",
    'admin:auth_group_history':                          "L A A A A A 200 | L A A A A A 200",
    'admin:auth_group_delete':                           "L A A A A A 403 | L A A A A A 403",
    'admin:auth_group_change':                           "L A A A A A 200 | L A A A A A 403",
    'admin/auth/group/<path:object_id>/':                "L A A A A A R | L A A A A A R",
    'admin:axes_accessattempt_changelist':               "L A A A A A 200 | L A A A A A 200",
    'admin:axes_accessattempt_add':                      "L A A A A A 403 | L A A A A A 403",
'admin:axes_accessattempt_history':                  "L A A A A A 200 | L A A A A A 200",
'admin:axes_accessattempt_delete':                   "L A A A A A 200 | L A A A A A 200",
'admin:axes_accessattempt_change':                   "L A A A A A 200 | L A A A A A 403",
    'admin/axes/accessattempt/<path:object_id>/':        "L A A A A A R | L A A A A A R",
    'admin:axes_accesslog_changelist':                   "L A A A A A 200 | L A A A A A 200",
    'admin:axes_accesslog_add':                          "L A A A A A 403 | L A A A A A 403",
    'admin:axes_accesslog_history':                      "L A A A A A R | L A A A A A R",
    'admin:axes_accesslog_delete':                       "L A A A A A 403 | L A A A A A 403",
    'admin:axes_accesslog_change':                       "L A A A A A R | L A A A A A 403",
    'admin/axes/accesslog/<path:object_id>/':            "L A A A A A R | L A A A A A R",
    'admin:axes_accessfailurelog_changelist':            "L A A A A A 200 | L A A A A A 200",
    'admin:axes_accessfailurelog_add':                   "L A A A A A 403 | L A A A A A 403",
    'admin:axes_accessfailurelog_history':               "L A A A A A R | L A A A A A R",
    'admin:axes_accessfailurelog_delete':                "L A A A A A 403 | L A A A A A 403",
    'admin:axes_accessfailurelog_change':                "L A A A A A R | L A A A A A 403",
    'admin/axes/accessfailurelog/<path:object_id>/':     "L A A A A A R | L A A A A A R",
    'admin:auth_user_password_change':                   "L A A A A A 200 | L A A A A A 200",
    'admin:core_user_changelist':                        "L A A A A A 200 | L A A A A A 200",
    'admin:core_user_add':                               "L A A A A A 200 | L A A A A A 200",
    'admin:core_user_history':                           "L A A A A A 200 | L A A A A A 200",
    'admin:core_user_delete':                            "L A A A A A 403 | L A A A A A 403",
    'admin:core_user_change':                            "L A A A A A 200 | L A A A A A 200",
    'admin/core/user/<path:object_id>/':                 "L A A A A A R | L A A A A A R",
    'admin:grids_grid_changelist':                       "L A A A A A 200 | L A A A A A 200",
    'admin:grids_grid_add':                              "L A A A A A 403 | L A A A A A 403",
    'admin:grids_grid_history':                          "L A A A A A 200 | L A A A A A 200",
    'admin:grids_grid_delete':                           "L A A A A A 403 | L A A A A A 403",
    'admin:grids_grid_change':                           "L A A A A A 200 | L A A A A A 403",
    'admin/grids/grid/<path:object_id>/':                "L A A A A A R | L A A A A A R",
    'admin:grids_gridstaff_changelist':                  "L A A A A A 200 | L A A A A A 200",
    'admin:grids_gridstaff_add':                         "L A A A A A 403 | L A A A A A 403",
    'admin:grids_gridstaff_history':                     "L A A A A A 200 | L A A A A A 200",
    'admin:grids_gridstaff_delete':                      "L A A A A A 403 | L A A A A A 403",
    'admin:grids_gridstaff_change':                      "L A A A A A 200 | L A A A A A 403",
    'admin/grids/gridstaff/<path:object_id>/':           "L A A A A A R | L A A A A A R",
    'admin/assessments/assessmentyear/^([^/]+)/history/([^/]+)/$': "L A A A A A 200 | L A A A A A 200",
    'admin:assessments_assessmentyear_changelist':       "L A A A A A 200 | L A A A A A 200",
    'admin:assessments_assessmentyear_add':              "L A A A A A 200 | L A A A A A 200",
    'admin:assessments_assessmentyear_history':          "L A A A A A 200 | L A A A A A 200",
    'admin:assessments_assessmentyear_delete':           "L A A A A A 403 | L A A A A A 403",
    'admin:assessments_assessmentyear_change':           "L A A A A A 200 | L A A A A A 403",
    'admin/assessments/assessmentyear/<path:object_id>/': "L A A A A A R | L A A A A A R",
    'admin/disbursements/budget/^([^/]+)/history/([^/]+)/$': "L A A A A A 200 | L A A A A A 200",
    'admin:disbursements_budget_changelist':             "L A A A A A 200 | L A A A A A 200",
    'admin:disbursements_budget_add':                    "L A A A A A 200 | L A A A A A 200",
    'admin:disbursements_budget_history':                "L A A A A A 200 | L A A A A A 200",
    'admin:disbursements_budget_delete':                 "L A A A A A 403 | L A A A A A 403",
    'admin:disbursements_budget_change':                 "L A A A A A 200 | L A A A A A 200",
    'admin/disbursements/budget/<path:object_id>/':      "L A A A A A R | L A A A A A R",
    'admin:disbursements_disbursementbatch_changelist':  "L A A A A A 200 | L A A A A A 200",
    'admin:disbursements_disbursementbatch_add':         "L A A A A A 403 | L A A A A A 403",
    'admin:disbursements_disbursementbatch_history':     "L A A A A A 200 | L A A A A A 200",
    'admin:disbursements_disbursementbatch_delete':      "L A A A A A 403 | L A A A A A 403",
    'admin:disbursements_disbursementbatch_change':      "L A A A A A 200 | L A A A A A 403",
    'admin/disbursements/disbursementbatch/<path:object_id>/': "L A A A A A R | L A A A A A R",
    'admin:disbursements_streetreceipt_changelist':  "L A A A A A 200 | L A A A A A 200",
    'admin:disbursements_streetreceipt_add':         "L A A A A A 403 | L A A A A A 403",
    'admin:disbursements_streetreceipt_history':     "L A A A A A 200 | L A A A A A 200",
    'admin:disbursements_streetreceipt_delete':      "L A A A A A 403 | L A A A A A 403",
    'admin:disbursements_streetreceipt_change':      "L A A A A A 200 | L A A A A A 403",
    'admin/disbursements/streetreceipt/<path:object_id>/': "L A A A A A R | L A A A A A R",
    'admin:disbursements_passon_changelist':  "L A A A A A 200 | L A A A A A 200",
    'admin:disbursements_passon_add':         "L A A A A A 403 | L A A A A A 403",
    'admin:disbursements_passon_history':     "L A A A A A 200 | L A A A A A 200",
    'admin:disbursements_passon_delete':      "L A A A A A 403 | L A A A A A 403",
    'admin:disbursements_passon_change':      "L A A A A A 200 | L A A A A A 403",
    'admin/disbursements/passon/<path:object_id>/': "L A A A A A R | L A A A A A R",
    'admin/^(?P<app_label>auth|axes|core|grids|assessments|disbursements)/$': "A A A A A A 200 | A A A A A A 200",
    'admin/(?P<url>.*)$':                                "A A A A A A 404 | A A A A A A 404",
    'admin:core_apiclient_changelist':                   "L A A A A A 200 | L A A A A A 200",
    'admin:core_apiclient_add':                          "L A A A A A 200 | L A A A A A 200",
    'admin:core_apiclient_history':                      "L A A A A A 200 | L A A A A A 200",
    'admin:core_apiclient_delete':                       "L A A A A A 403 | L A A A A A 403",
    'admin:core_apiclient_change':                       "L A A A A A 200 | L A A A A A 200",
    'admin/core/apiclient/<path:object_id>/':            "L A A A A A R | L A A A A A R",
    'admin:core_apicall_changelist':                     "L A A A A A 200 | L A A A A A 200",
    'admin:core_apicall_add':                            "L A A A A A 403 | L A A A A A 403",
    'admin:core_apicall_history':                        "L A A A A A 200 | L A A A A A 200",
    'admin:core_apicall_delete':                         "L A A A A A 403 | L A A A A A 403",
    'admin:core_apicall_change':                         "L A A A A A 200 | L A A A A A 403",
    'admin/core/apicall/<path:object_id>/':              "L A A A A A R | L A A A A A R",
    # The API answers tokens only (tests/core/test_api_clients.py): a session, any role's, is 401.
    # Its schema and documentation page describe it to anyone who can reach the site.
    'api:schema':                                        "200 200 200 200 200 200 200 | 405 405 405 405 405 405 405",
    'api:docs':                                          "200 200 200 200 200 200 200 | 405 405 405 405 405 405 405",
    'api:hotline_tickets':                               "401 401 401 401 401 401 401 | 401 401 401 401 401 401 401",
    'api:whistle_tickets':                               "401 401 401 401 401 401 401 | 401 401 401 401 401 401 401",
    'api:token_rotate':                                  "401 401 401 401 401 401 401 | 401 401 401 401 401 401 401",
    'api:periods':                                       "401 401 401 401 401 401 401 | 401 401 401 401 401 401 401",
    'api:zero_complaint':                                "401 401 401 401 401 401 401 | 401 401 401 401 401 401 401",
    'api:ratings':                                      "401 401 401 401 401 401 401 | 401 401 401 401 401 401 401",
    'api:batches':                                      "401 401 401 401 401 401 401 | 401 401 401 401 401 401 401",
    'api:batch_streets':                                "401 401 401 401 401 401 401 | 401 401 401 401 401 401 401",
    'api:batch_communities':                            "401 401 401 401 401 401 401 | 401 401 401 401 401 401 401",
    'api:evaluation':                                   "401 401 401 401 401 401 401 | 401 401 401 401 401 401 401",
    'api:grids':                                        "401 401 401 401 401 401 401 | 401 401 401 401 401 401 401",
    '^api/':                                             "404 404 404 404 404 404 404 | 404 404 404 404 404 404 404",
    'favicon.ico':                                       "R R R R R R R | R R R R R R R",
}
# fmt: on

# Regex-defined admin routes, with a concrete path for each.
REGEX_PATHS = {
    r"admin/^(?P<app_label>auth|axes|core|grids|assessments|disbursements)/$": "/admin/grids/",
    r"admin/(?P<url>.*)$": "/admin/no-such-page/",
    r"^api/": "/api/v1/no-such-route/",
}


def url_patterns(patterns=None, prefix: str = "", namespace: str | None = None):
    """Yield (key, route) for every URL pattern: the key is the URL name, or the route when unnamed."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(
                pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace
            )
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            named = pattern.name and isinstance(pattern.pattern, RoutePattern) and "(" not in route
            key = (f"{namespace}:{pattern.name}" if namespace else pattern.name) if named else route
            yield key, route


def kwargs_for(key: str, world: dict) -> dict:
    groups = [group for group in world if group != "common" and key.startswith(group)]
    values = dict(world["common"])
    for group in sorted(groups, key=len):
        values.update(world[group])
    return values


def admin_object_id(route: str) -> str:
    """The pk of an existing object of the model an admin route is about ("0" when there is none)."""
    match = re.match(r"admin/(\w+)/(\w+)/", route)
    if not match:
        return "0"
    model = apps.get_model(match[1], match[2])
    first = model._default_manager.order_by("pk").first()
    return str(first.pk) if first else "0"


def path_for(key: str, route: str, world: dict) -> str:
    if route in REGEX_PATHS:
        return REGEX_PATHS[route]
    if "^" in route:  # django-simple-history's regex: <object_id>/history/<history_id>/
        object_id = admin_object_id(route)
        app_label, model_name = re.match(r"admin/(\w+)/(\w+)/", route).groups()
        model = apps.get_model(app_label, model_name)
        history = model.history.filter(id=object_id).order_by("history_id").first()
        base = route.split("^")[0]
        return f"/{base}{object_id}/history/{history.history_id if history else 0}/"
    values = kwargs_for(key, world)
    if "object_id" in route:
        values["object_id"] = admin_object_id(route)

    def value(match: re.Match) -> str:
        return str(values[match[2]])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def outcome(response) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith("/accounts/login/"):
            return "L"
        if location.startswith("/admin/login/"):
            return "A"
        return "R"
    return str(response.status_code)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+=", re.I)
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.I | re.S)


# django-simple-history's admin history page; the browser ignores this one cosmetic style under the CSP.
TOLERATED = ('<p class="paginator" style="border-top: 0">',)


def page_problems(response) -> list[str]:
    """What a 200 HTML page holds that the CSP would block, or a POST form without a CSRF token."""
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return []
    html = response.content.decode()
    for snippet in TOLERATED:
        html = html.replace(snippet, "")
    problems = []
    for name, pattern in (
        ("inline script", INLINE_SCRIPT),
        ("inline style", INLINE_STYLE),
        ("handler", EVENT_HANDLER),
    ):
        found = pattern.search(html)
        if found:
            problems.append(f"{name}: {html[found.start() : found.start() + 80]!r}")
    problems += [
        "POST form without a CSRF token"
        for form in POST_FORM.findall(html)
        if "csrfmiddlewaretoken" not in form
    ]
    return problems


def request(users, role: str, method: str, path: str):
    """One request as the role, inside a savepoint that is rolled back: no request sees another's writes."""
    with transaction.atomic():
        client = Client()
        if role != "anon":
            client.force_login(users[role])
        response = client.get(path) if method == "GET" else client.post(path, {})
        transaction.set_rollback(True)
    return response


@pytest.fixture
def world(users, roster, year, locked_q1):
    return build_world(users, roster, year, locked_q1)


def test_every_url_pattern_has_a_row(db):
    keys = [key for key, _ in url_patterns()]
    missing = sorted(set(keys) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(keys))
    assert not missing, f"URL patterns with no row in MATRIX: {missing}"
    assert not stale, f"rows in MATRIX for URL patterns that no longer exist: {stale}"
    assert all(len(row.split()) == 2 * len(ROLES) + 1 for row in MATRIX.values())


@pytest.mark.slow
def test_every_role_gets_the_expected_outcome_for_every_url(users, world):
    mismatches, problems, observed = [], [], {}
    for key, route in url_patterns():
        path = path_for(key, route, world)
        got = {}
        for method in ("GET", "POST"):
            responses = [request(users, role, method, path) for role in ROLES]
            got[method] = [outcome(response) for response in responses]
            if method == "GET":
                problems += [
                    f"{path} as {r}: {p}"
                    for r, resp in zip(ROLES, responses, strict=True)
                    for p in page_problems(resp)
                ]
        observed[key] = got
        if key not in MATRIX:
            continue
        expected = MATRIX[key].split()
        want = {"GET": expected[: len(ROLES)], "POST": expected[len(ROLES) + 1 :]}
        for method in ("GET", "POST"):
            for role, exp, act in zip(ROLES, want[method], got[method], strict=True):
                if exp != act:
                    mismatches.append(f"{method} {path} ({key}) as {role}: expected {exp}, got {act}")
    if os.environ.get("MATRIX_DUMP"):
        for key, got in observed.items():
            label = f"{key!r}:"
            print(f'    {label:53} "{" ".join(got["GET"])} | {" ".join(got["POST"])}",')
    assert not mismatches, "\n".join(mismatches)
    assert not problems, "\n".join(problems)
