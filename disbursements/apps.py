from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisbursementsConfig(AppConfig):
    name = "disbursements"
    verbose_name = _("资金拨付")

    def ready(self):
        from disbursements.jobs import register_jobs

        register_jobs()
        from assessments.selectors.periods import PERIOD_PANELS
        from assessments.services.periods import UNLOCK_GUARDS
        from core.navigation import Item, register
        from core.todos import TO_DOS
        from disbursements import checks  # noqa: F401  (registers the start-up checks)
        from disbursements.panels import period_payments
        from disbursements.services.workflow import batch_blocks_unlock
        from disbursements.todos import center_money_to_dos, finance_to_dos, street_receipt_to_dos

        UNLOCK_GUARDS.append(batch_blocks_unlock)
        PERIOD_PANELS.append(period_payments)
        TO_DOS.extend([finance_to_dos, center_money_to_dos, street_receipt_to_dos])

        register(
            _("资金"),
            [
                Item(_("预算执行"), "disbursements:budget", perm="disbursements.view_budget", district=True),
                Item(_("拨付批次"), "disbursements:batches", perm="disbursements.view_disbursementbatch"),
                Item(_("待我审核/拨付"), "disbursements:queue", perm="disbursements.approve_batch"),
                Item(_("到账与下发"), "disbursements:receipts", perm="disbursements.view_streetreceipt"),
            ],
            order=30,
        )

    def seed_demo(self, *, year: int) -> dict:
        from disbursements.demo import seed_disbursements

        return seed_disbursements(year)
