//! Community markets: a group whose members each sell and buy, with admins who run it.
//! Membership rules (who may join, who may list) are enforced by the server; the device
//! keeps what it was told.

use crate::error::{Error, Problem, Thing, ValidationError};
use crate::store::{Database, StoreError};
use crate::{Result, account, id, time};
use rusqlite::{Connection, OptionalExtension, params};
use std::sync::Arc;

pub const NAME_MAX_CHARS: usize = 80;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    fn parse(s: &str) -> Role {
        if s == "admin" {
            Role::Admin
        } else {
            Role::Member
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub members: Vec<Member>,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub account_id: String,
    pub name: String,
    pub role: Role,
}

#[derive(Clone)]
pub struct Groups {
    db: Arc<Database>,
}

impl Groups {
    pub(crate) fn new(db: Arc<Database>) -> Self {
        Groups { db }
    }

    /// Creates a group with `admin_id` (an existing account) as its first admin.
    pub async fn create(&self, name: String, admin_id: String) -> Result<Group> {
        let this = self.clone();
        crate::pasar::blocking(move || this.create_blocking(&name, &admin_id)).await
    }

    pub fn create_blocking(&self, name: &str, admin_id: &str) -> Result<Group> {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(ValidationError::new("group_name", Problem::Required).into());
        }
        if name.chars().count() > NAME_MAX_CHARS {
            return Err(ValidationError::new(
                "group_name",
                Problem::TooLong {
                    max: NAME_MAX_CHARS,
                },
            )
            .into());
        }
        crate::catalog::check_id("account_id", admin_id)?;
        let id = id::new_id();
        let now = time::now_ms();
        self.db.write(|tx| {
            if !account::exists(tx, admin_id)? {
                return Err(Error::NotFound {
                    thing: Thing::Account,
                    id: admin_id.to_owned(),
                });
            }
            tx.execute(
                "INSERT INTO market_groups (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
                params![id, name, now],
            )
            .map_err(StoreError::from)?;
            add(tx, &id, admin_id, Role::Admin, now)?;
            crate::sync::outbox::group_saved(tx, &id, &name, now)?;
            get(tx, &id)
        })
    }

    /// Adds an account to a group, or changes its role.
    pub async fn add_member(
        &self,
        group_id: String,
        account_id: String,
        role: Role,
    ) -> Result<Group> {
        let this = self.clone();
        crate::pasar::blocking(move || {
            crate::catalog::check_id("group_id", &group_id)?;
            crate::catalog::check_id("account_id", &account_id)?;
            this.db.write(|tx| {
                get(tx, &group_id)?;
                if !account::exists(tx, &account_id)? {
                    return Err(Error::NotFound {
                        thing: Thing::Account,
                        id: account_id.clone(),
                    });
                }
                let now = time::now_ms();
                add(tx, &group_id, &account_id, role, now)?;
                crate::sync::outbox::member_added(tx, &group_id, &account_id, role.as_str(), now)?;
                get(tx, &group_id)
            })
        })
        .await
    }

    /// Takes an account out of a group: an admin removing a member, or the signed-in
    /// account leaving. A seller's listings leave the group with them, and their phones
    /// forget the group's catalog, when the server has it (the next sync). The group's
    /// only admin stays: the server refuses it too, so it is refused here at once.
    pub async fn remove_member(&self, group_id: String, account_id: String) -> Result<Group> {
        let this = self.clone();
        crate::pasar::blocking(move || this.remove_member_blocking(&group_id, &account_id)).await
    }

    pub fn remove_member_blocking(&self, group_id: &str, account_id: &str) -> Result<Group> {
        crate::catalog::check_id("group_id", group_id)?;
        crate::catalog::check_id("account_id", account_id)?;
        self.db.write(|tx| {
            let group = get(tx, group_id)?;
            let Some(member) = group.members.iter().find(|m| m.account_id == account_id) else {
                return Err(Error::NotFound {
                    thing: Thing::Account,
                    id: account_id.to_owned(),
                });
            };
            let admins = group
                .members
                .iter()
                .filter(|m| m.role == Role::Admin)
                .count();
            if member.role == Role::Admin && admins <= 1 {
                return Err(ValidationError::new("role", Problem::LastAdmin).into());
            }
            tx.execute(
                "DELETE FROM group_members WHERE group_id = ?1 AND account_id = ?2",
                params![group_id, account_id],
            )
            .map_err(StoreError::from)?;
            crate::sync::outbox::member_removed(tx, group_id, account_id, time::now_ms())?;
            get(tx, group_id)
        })
    }

    pub async fn get(&self, id: String) -> Result<Group> {
        let this = self.clone();
        crate::pasar::blocking(move || {
            crate::catalog::check_id("group_id", &id)?;
            this.db.read(|c| get(c, &id))
        })
        .await
    }

    pub async fn list(&self) -> Result<Vec<Group>> {
        let this = self.clone();
        crate::pasar::blocking(move || {
            this.db.read(|c| {
                let ids: Vec<String> = c
                    .prepare("SELECT id FROM market_groups ORDER BY name, id")
                    .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                    .map_err(StoreError::from)?;
                ids.iter().map(|id| get(c, id)).collect()
            })
        })
        .await
    }
}

fn add(c: &Connection, group_id: &str, account_id: &str, role: Role, now: i64) -> Result<()> {
    c.execute(
        "INSERT INTO group_members (group_id, account_id, role, joined_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (group_id, account_id) DO UPDATE SET role = excluded.role",
        params![group_id, account_id, role.as_str(), now],
    )
    .map_err(StoreError::from)?;
    Ok(())
}

fn get(c: &Connection, id: &str) -> Result<Group> {
    let (name, created_at): (String, i64) = c
        .query_row(
            "SELECT name, created_at FROM market_groups WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(StoreError::from)?
        .ok_or_else(|| Error::NotFound {
            thing: Thing::Group,
            id: id.to_owned(),
        })?;
    let members = c
        .prepare(
            "SELECT m.account_id, a.name, m.role FROM group_members m JOIN accounts a ON a.id = m.account_id
             WHERE m.group_id = ?1 ORDER BY m.role = 'member', a.name",
        )
        .and_then(|mut s| {
            s.query_map([id], |r| {
                Ok(Member {
                    account_id: r.get(0)?,
                    name: r.get(1)?,
                    role: Role::parse(&r.get::<_, String>(2)?),
                })
            })?
            .collect()
        })
        .map_err(StoreError::from)?;
    Ok(Group {
        id: id.to_owned(),
        name,
        members,
        created_at,
    })
}

#[cfg(test)]
mod tests {
    use crate::Pasar;
    use crate::account::NewAccount;
    use crate::error::{Error, Problem};

    fn account(p: &Pasar, name: &str) -> String {
        p.accounts()
            .save_blocking(NewAccount {
                id: None,
                name: name.into(),
                phone: None,
            })
            .expect("account")
            .id
    }

    #[test]
    fn a_member_is_removed_and_the_only_admin_stays() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pasar = Pasar::open(dir.path()).expect("open");
        let rina = account(&pasar, "Bu Rina");
        let sari = account(&pasar, "Ibu Sari");
        let groups = pasar.groups();
        let group = groups
            .create_blocking("Pasar Melati", &rina)
            .expect("group");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("rt");
        rt.block_on(groups.add_member(group.id.clone(), sari.clone(), super::Role::Member))
            .expect("member");

        // The only admin cannot leave, and nothing changes.
        let refused = groups
            .remove_member_blocking(&group.id, &rina)
            .expect_err("the only admin stays");
        assert!(matches!(
            refused,
            Error::Validation(ref v) if v.field == "role" && v.problem == Problem::LastAdmin
        ));
        assert_eq!(
            refused.to_user().message.en,
            "A group needs at least one admin"
        );
        let names = |g: &super::Group| g.members.iter().map(|m| m.name.clone()).collect::<Vec<_>>();
        let kept = rt.block_on(groups.get(group.id.clone())).expect("group");
        assert_eq!(names(&kept), ["Bu Rina", "Ibu Sari"]);

        let after = groups
            .remove_member_blocking(&group.id, &sari)
            .expect("removed");
        assert_eq!(names(&after), ["Bu Rina"]);
        // Not a member any more: said so, not silently done twice.
        assert!(matches!(
            groups.remove_member_blocking(&group.id, &sari),
            Err(Error::NotFound { .. })
        ));
        // With a second admin, the first may go.
        rt.block_on(groups.add_member(group.id.clone(), sari.clone(), super::Role::Admin))
            .expect("admin");
        let left = groups
            .remove_member_blocking(&group.id, &rina)
            .expect("left");
        assert_eq!(names(&left), ["Ibu Sari"]);
    }
}
