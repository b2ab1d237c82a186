//! The groups service (community markets) and its records, converted to and from
//! `pasar_core::group`.

use crate::PasarError;
use pasar_core::group as core;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum GroupRole {
    /// Runs the group: admits members, makes the rekap.
    Admin,
    Member,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct GroupMember {
    pub account_id: String,
    pub name: String,
    pub role: GroupRole,
}

/// A community market: members each sell and buy; admins run it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MarketGroup {
    pub id: String,
    pub name: String,
    /// Admins first, then by name.
    pub members: Vec<GroupMember>,
    pub created_at_ms: i64,
}

#[derive(uniffi::Object)]
pub struct GroupService {
    inner: core::Groups,
}

impl GroupService {
    pub(crate) fn new(inner: core::Groups) -> Self {
        GroupService { inner }
    }
}

#[uniffi::export]
impl GroupService {
    /// Creates a group with `admin_id` (a saved account) as its first admin.
    pub async fn create_group(
        &self,
        name: String,
        admin_id: String,
    ) -> Result<MarketGroup, PasarError> {
        Ok(self.inner.create(name, admin_id).await?.into())
    }

    /// Adds a saved account to the group, or changes its role.
    pub async fn add_member(
        &self,
        group_id: String,
        account_id: String,
        role: GroupRole,
    ) -> Result<MarketGroup, PasarError> {
        Ok(self
            .inner
            .add_member(group_id, account_id, role.into())
            .await?
            .into())
    }

    /// Takes an account out of the group: an admin removing a member, or the signed-in
    /// account leaving (its own id). The group's only admin cannot go.
    pub async fn remove_member(
        &self,
        group_id: String,
        account_id: String,
    ) -> Result<MarketGroup, PasarError> {
        Ok(self.inner.remove_member(group_id, account_id).await?.into())
    }

    pub async fn get_group(&self, id: String) -> Result<MarketGroup, PasarError> {
        Ok(self.inner.get(id).await?.into())
    }

    /// Every group the device knows, by name.
    pub async fn list_groups(&self) -> Result<Vec<MarketGroup>, PasarError> {
        Ok(self
            .inner
            .list()
            .await?
            .into_iter()
            .map(MarketGroup::from)
            .collect())
    }
}

impl From<GroupRole> for core::Role {
    fn from(r: GroupRole) -> Self {
        match r {
            GroupRole::Admin => core::Role::Admin,
            GroupRole::Member => core::Role::Member,
        }
    }
}

impl From<core::Role> for GroupRole {
    fn from(r: core::Role) -> Self {
        match r {
            core::Role::Admin => GroupRole::Admin,
            core::Role::Member => GroupRole::Member,
        }
    }
}

impl From<core::Member> for GroupMember {
    fn from(m: core::Member) -> Self {
        GroupMember {
            account_id: m.account_id,
            name: m.name,
            role: m.role.into(),
        }
    }
}

impl From<core::Group> for MarketGroup {
    fn from(g: core::Group) -> Self {
        MarketGroup {
            id: g.id,
            name: g.name,
            members: g.members.into_iter().map(Into::into).collect(),
            created_at_ms: g.created_at,
        }
    }
}
