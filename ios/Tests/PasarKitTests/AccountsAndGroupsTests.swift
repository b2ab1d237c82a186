// Sellers (accounts) and community markets (groups) from Swift, against the real core.
import Foundation
import XCTest
@testable import PasarKit

final class AccountsAndGroupsTests: PasarTestCase {
    func testASellerAccountIsSavedWithItsPhoneInPlus62FormAndUpdatedById() async throws {
        var pasar: Pasar? = try await Pasar.open(directory: dir)
        let rina = try await pasar!.accounts().saveAccount(
            account: NewAccount(name: "  Dapur   Bu Rina ", phone: "0812-3456-7890"))
        XCTAssertEqual(rina.name, "Dapur Bu Rina")
        XCTAssertEqual(rina.phone, "+6281234567890")
        pasar = nil

        let reopened = try await Pasar.open(directory: dir)
        let accounts = reopened.accounts()
        let read = try await accounts.getAccount(id: rina.id)
        XCTAssertEqual(read, rina)
        let renamed = try await accounts.saveAccount(
            account: NewAccount(id: rina.id, name: "Dapur Rina", phone: "+62 812 3456 7890"))
        XCTAssertEqual(renamed.id, rina.id)
        XCTAssertEqual(renamed.name, "Dapur Rina")
        XCTAssertEqual(renamed.createdAtMs, rina.createdAtMs)

        let phone = await refusal { try await accounts.saveAccount(account: NewAccount(name: "Bu Sari", phone: "0812")) }
        XCTAssertEqual(phone?.field, "phone")
        let name = await refusal { try await accounts.saveAccount(account: NewAccount(name: "   ")) }
        XCTAssertEqual(name?.field, "account_name")
        let nobody = await refusal { try await accounts.getAccount(id: "0190a3e0-7d2c-7cc0-8000-0000000000ff") }
        guard case .NotFound? = nobody else { return XCTFail("expected not found, got \(String(describing: nobody))") }
        let again = try await accounts.getAccount(id: rina.id)
        XCTAssertEqual(again, renamed)
    }

    func testAGroupIsCreatedGainsMembersAndListsAProduct() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let groups = pasar.groups()
        let catalog = pasar.catalog()
        let rina = try await seller(pasar)
        let sari = try await pasar.accounts().saveAccount(account: NewAccount(name: "Bu Sari")).id

        let group = try await groups.createGroup(name: "Pasar Ibu-ibu Sidoarjo", adminId: rina)
        XCTAssertEqual(group.name, "Pasar Ibu-ibu Sidoarjo")
        XCTAssertEqual(group.members.map(\.accountId), [rina])
        XCTAssertEqual(group.members.map(\.role), [.admin])

        let joined = try await groups.addMember(groupId: group.id, accountId: sari)
        XCTAssertEqual(joined.members.map(\.name), ["Dapur Bu Rina", "Bu Sari"])
        XCTAssertEqual(joined.members.map(\.role), [.admin, .member])
        let all = try await groups.listGroups()
        XCTAssertEqual(all, [joined])
        let read = try await groups.getGroup(id: group.id)
        XCTAssertEqual(read, joined)

        let kaos = try await catalog.createProduct(product: kaos(rina))
        let listed = try await catalog.updateProduct(id: kaos.id, patch: ProductPatch(groupIds: [group.id]))
        XCTAssertEqual(listed.groupIds, [group.id])
        var donat = donat(sari)
        donat.groupIds = [group.id]
        let made = try await catalog.createProduct(product: donat)
        XCTAssertEqual(made.groupIds, [group.id])

        let noGroup = await refusal {
            try await catalog.updateProduct(
                id: kaos.id, patch: ProductPatch(groupIds: ["0190a3e0-7d2c-7cc0-8000-0000000000ee"]))
        }
        XCTAssertEqual(noGroup?.indonesian, "Grup tidak ditemukan")
        let after = try await catalog.getProduct(id: kaos.id)
        XCTAssertEqual(after, listed, "the failed listing changed nothing")

        let noAdmin = await refusal {
            try await groups.createGroup(name: "Grup tanpa admin", adminId: "0190a3e0-7d2c-7cc0-8000-0000000000ff")
        }
        guard case .NotFound? = noAdmin else { return XCTFail("expected not found, got \(String(describing: noAdmin))") }
        let blank = await refusal { try await groups.createGroup(name: "  ", adminId: rina) }
        XCTAssertEqual(blank?.field, "group_name")
        let count = try await groups.listGroups().count
        XCTAssertEqual(count, 1, "nothing half-made is left")
    }

    func testAMemberIsRemovedAndTheMarketsOnlyAdminCannotLeaveIt() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let groups = pasar.groups()
        let rina = try await seller(pasar)
        let sari = try await pasar.accounts().saveAccount(account: NewAccount(name: "Bu Sari")).id
        let group = try await groups.createGroup(name: "Pasar Ibu-ibu Sidoarjo", adminId: rina)
        _ = try await groups.addMember(groupId: group.id, accountId: sari)

        let alone = await refusal { try await groups.removeMember(groupId: group.id, accountId: rina) }
        XCTAssertEqual(alone?.field, "role")
        XCTAssertEqual(alone?.indonesian, "Grup butuh minimal satu admin")
        let kept = try await groups.getGroup(id: group.id)
        XCTAssertEqual(kept.members.map(\.name), ["Dapur Bu Rina", "Bu Sari"])

        let after = try await groups.removeMember(groupId: group.id, accountId: sari)
        XCTAssertEqual(after.members.map(\.name), ["Dapur Bu Rina"])
        let again = await refusal { try await groups.removeMember(groupId: group.id, accountId: sari) }
        guard case .NotFound? = again else { return XCTFail("expected not found, got \(String(describing: again))") }
    }
}
