//! Status of institutions and appraisers in the register.
use serde::{Deserialize, Serialize};

/// 正常 / 暂停执业 / 注销 / 撤销 (seed clause 10; 《司法鉴定机构登记管理办法》).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionStatus {
    Normal,
    Suspended,
    Cancelled,
    Revoked,
}

impl InstitutionStatus {
    pub const ALL: [Self; 4] = [
        Self::Normal,
        Self::Suspended,
        Self::Cancelled,
        Self::Revoked,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Suspended => "suspended",
            Self::Cancelled => "cancelled",
            Self::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Normal => "正常",
            Self::Suspended => "暂停执业",
            Self::Cancelled => "注销",
            Self::Revoked => "撤销",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Normal => "Active",
            Self::Suspended => "Suspended",
            Self::Cancelled => "Cancelled",
            Self::Revoked => "Revoked",
        }
    }
}

/// 执业 / 暂停执业 / 注销 / 撤销 for appraisers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppraiserStatus {
    Active,
    Suspended,
    Cancelled,
    Revoked,
}

impl AppraiserStatus {
    pub const ALL: [Self; 4] = [
        Self::Active,
        Self::Suspended,
        Self::Cancelled,
        Self::Revoked,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Cancelled => "cancelled",
            Self::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Active => "执业",
            Self::Suspended => "暂停执业",
            Self::Cancelled => "注销",
            Self::Revoked => "撤销",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Active => "Practising",
            Self::Suspended => "Suspended",
            Self::Cancelled => "Cancelled",
            Self::Revoked => "Revoked",
        }
    }
}
