// Sellers (accounts) and community markets (groups) from Kotlin, against the real core.
package id.pasar

import id.pasar.ffi.GroupRole
import id.pasar.ffi.NewAccount
import id.pasar.ffi.PasarException
import id.pasar.ffi.ProductPatch
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File

class AccountsAndGroupsTest {
    @TempDir
    lateinit var dir: File

    @Test
    fun `a seller account is saved with its phone in +62 form and updated by id`() = runBlocking {
        val rina = Pasar.open(dir).use { pasar ->
            pasar.accounts.save(NewAccount(name = "  Dapur   Bu Rina ", phone = "0812-3456-7890"))
        }
        assertEquals("Dapur Bu Rina", rina.name)
        assertEquals("+6281234567890", rina.phone)

        Pasar.open(dir).use { pasar ->
            assertEquals(rina, pasar.accounts.get(rina.id))
            val renamed = pasar.accounts.save(NewAccount(id = rina.id, name = "Dapur Rina", phone = "+62 812 3456 7890"))
            assertEquals(rina.id, renamed.id)
            assertEquals("Dapur Rina", renamed.name)
            assertEquals(rina.createdAtMs, renamed.createdAtMs)

            val phone = assertThrows<PasarException.Validation> {
                runBlocking { pasar.accounts.save(NewAccount(name = "Bu Sari", phone = "0812")) }
            }
            assertEquals("phone", phone.field)
            val name = assertThrows<PasarException.Validation> {
                runBlocking { pasar.accounts.save(NewAccount(name = "   ")) }
            }
            assertEquals("account_name", name.field)
            assertThrows<PasarException.NotFound> {
                runBlocking { pasar.accounts.get("0190a3e0-7d2c-7cc0-8000-0000000000ff") }
            }
            assertEquals(renamed, pasar.accounts.get(rina.id))
        }
    }

    @Test
    fun `a group is created, gains members, and lists a product`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val rina = pasar.seller()
            val sari = pasar.accounts.save(NewAccount(name = "Bu Sari")).id
            val group = pasar.groups.create("Pasar Ibu-ibu Sidoarjo", adminId = rina)
            assertEquals("Pasar Ibu-ibu Sidoarjo", group.name)
            assertEquals(listOf(rina to GroupRole.ADMIN), group.members.map { it.accountId to it.role })

            val joined = pasar.groups.addMember(group.id, sari)
            assertEquals(
                listOf("Dapur Bu Rina" to GroupRole.ADMIN, "Bu Sari" to GroupRole.MEMBER),
                joined.members.map { it.name to it.role },
            )
            assertEquals(listOf(joined), pasar.groups.list())
            assertEquals(joined, pasar.groups.get(group.id))

            val kaos = pasar.catalog.create(kaos(rina))
            val listed = pasar.catalog.update(kaos.id, ProductPatch(groupIds = listOf(group.id)))
            assertEquals(listOf(group.id), listed.groupIds)
            val donat = pasar.catalog.create(donat(sari).copy(groupIds = listOf(group.id)))
            assertEquals(listOf(group.id), donat.groupIds)

            val noGroup = assertThrows<PasarException.NotFound> {
                runBlocking {
                    pasar.catalog.update(kaos.id, ProductPatch(groupIds = listOf("0190a3e0-7d2c-7cc0-8000-0000000000ee")))
                }
            }
            assertEquals("Grup tidak ditemukan", noGroup.userMessage())
            assertEquals(listed, pasar.catalog.get(kaos.id), "the failed listing changed nothing")

            assertThrows<PasarException.NotFound> {
                runBlocking { pasar.groups.create("Grup tanpa admin", "0190a3e0-7d2c-7cc0-8000-0000000000ff") }
            }
            val blank = assertThrows<PasarException.Validation> {
                runBlocking { pasar.groups.create("  ", rina) }
            }
            assertEquals("group_name", blank.field)
            assertEquals(1, pasar.groups.list().size, "nothing half-made is left")
        }
    }

    @Test
    fun `a member is removed, and the market's only admin cannot leave it`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val rina = pasar.seller()
            val sari = pasar.accounts.save(NewAccount(name = "Bu Sari")).id
            val group = pasar.groups.create("Pasar Ibu-ibu Sidoarjo", adminId = rina)
            pasar.groups.addMember(group.id, sari)

            val alone = assertThrows<PasarException.Validation> {
                runBlocking { pasar.groups.removeMember(group.id, rina) }
            }
            assertEquals("role", alone.field)
            assertEquals("Grup butuh minimal satu admin", alone.userMessage())
            assertEquals(listOf("Dapur Bu Rina", "Bu Sari"), pasar.groups.get(group.id).members.map { it.name })

            val after = pasar.groups.removeMember(group.id, sari)
            assertEquals(listOf("Dapur Bu Rina"), after.members.map { it.name })
            assertThrows<PasarException.NotFound> {
                runBlocking { pasar.groups.removeMember(group.id, sari) }
            }
            assertEquals(after, pasar.groups.get(group.id), "the second removal changed nothing")
        }
    }
}
