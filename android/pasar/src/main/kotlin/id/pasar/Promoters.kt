// Promoters in Kotlin: a member's own code and share links, the links and codes a buyer
// came through, the seller's commission rule and the month's payouts. No rules live here
// (who a code belongs to, how long a link counts, what a commission comes to): they are
// all in the core.
package id.pasar

import id.pasar.ffi.CommissionRule
import id.pasar.ffi.PasarException
import id.pasar.ffi.Payout
import id.pasar.ffi.PromoCode
import id.pasar.ffi.PromoterService
import id.pasar.ffi.Referral
import id.pasar.ffi.ShareLink
import java.util.Calendar
import java.util.SimpleTimeZone

/**
 * Promoters: members who share a seller's products under their own code and earn the
 * seller's commission on the orders that come through it. Every call is a coroutine.
 */
class Promoters internal constructor(private val ffi: PromoterService) : AutoCloseable {
    /**
     * The signed-in account takes [code] (`"kirana"` → `KIRANA`). It stays
     * [id.pasar.ffi.CodeState.PENDING] until a sync confirms it is free, then reads
     * [id.pasar.ffi.CodeState.ACTIVE] (or [id.pasar.ffi.CodeState.TAKEN]: offer
     * [suggestCode]) in [myCode].
     *
     * @throws PasarException.Validation with field `code` (3–16 letters and digits, at
     *   least one letter), or `account` when no one is signed in.
     */
    suspend fun claimCode(code: String): PromoCode = ffi.claimCode(code)

    /** The account's code and where it stands; `null` before one is claimed. */
    suspend fun myCode(): PromoCode? = ffi.myCode()

    /** A code to offer from the account's name (`"Kirana Putri"` → `"KIRANA"`), free as far as the phone knows. */
    suspend fun suggestCode(): String = ffi.suggestCode()

    /**
     * The link to [productId] under the account's code, on the deployment at [baseUrl]
     * (`"https://pasar.app"`), with the message to send and a `https://wa.me/?text=…`
     * link that opens WhatsApp with it.
     *
     * @throws PasarException.Validation with field `code` before the account has one.
     * @throws PasarException.NotFound if the phone does not know the product.
     */
    suspend fun shareProduct(productId: String, baseUrl: String): ShareLink = ffi.shareProduct(productId, baseUrl)

    /** The same for [sellerId]'s whole shop. */
    suspend fun shareShop(sellerId: String, baseUrl: String): ShareLink = ffi.shareShop(sellerId, baseUrl)

    /**
     * The app was opened with [link] (an intent's data URI, or the Play install
     * referrer on first start): the code is kept for checkouts from that seller for 30
     * days, and the [Referral] says which product or shop to show. `null` when the link
     * carries no referral.
     */
    suspend fun openLink(link: String): Referral? = ffi.openLink(link)

    /**
     * A code the buyer gave for [sellerId]'s shop (typed at checkout, or said in a chat
     * order: [id.pasar.ffi.ChatDraft.promoCode]); returns it as kept (`"KIRANA"`).
     *
     * @throws PasarException.Validation with field `code` for a malformed code.
     */
    suspend fun useCode(sellerId: String, code: String): String = ffi.useCode(sellerId, code)

    /** The code a checkout from [sellerId] would carry now, if any. */
    suspend fun referralFor(sellerId: String): String? = ffi.referralFor(sellerId)

    /**
     * The signed-in seller's commission for promoters: `CommissionRule.Percent(750u)`
     * (7,5 % of the goods), `CommissionRule.PerItem(2_000)`, or `null` to pay none.
     * Synced with the shop's terms.
     *
     * @throws PasarException.Validation with field `commission_percent` (0, or above
     *   half the goods), `commission_amount` (not positive), or `account` when no one is
     *   signed in.
     */
    suspend fun setCommission(rule: CommissionRule?) = ffi.setCommission(rule)

    /** [sellerId]'s commission rule as this phone knows it; `null` when the seller pays none. */
    suspend fun commissionRule(sellerId: String): CommissionRule? = ffi.commissionRule(sellerId)

    /** How a rule reads on screen: `"7,5% dari harga barang"`, `"Rp2.000 per barang"`. */
    fun describe(rule: CommissionRule): String = ffi.describeCommission(rule)

    /**
     * The payouts of [month] (1–12) of [year], counted in WIB: the promoter's own line,
     * or the seller's line per promoter. Earned is on completed orders, pending on those
     * still on their way.
     */
    suspend fun payouts(year: Int, month: Int): List<Payout> {
        require(month in 1..12) { "month must be 1–12" }
        return ffi.payouts(year.toLong(), month.toUInt())
    }

    /**
     * [payouts] of the month (in WIB) that [atMs] falls in: this month by default, or an
     * order's (`order.createdAtMs`).
     */
    suspend fun payoutsOfMonth(atMs: Long = System.currentTimeMillis()): List<Payout> {
        val at = Calendar.getInstance(WIB).apply { timeInMillis = atMs }
        return payouts(at.get(Calendar.YEAR), at.get(Calendar.MONTH) + 1)
    }

    override fun close() = ffi.close()

    private companion object {
        /** Western Indonesian Time, UTC+7 all year: payout months are counted in it. */
        val WIB = SimpleTimeZone(7 * 60 * 60 * 1000, "WIB")
    }
}
