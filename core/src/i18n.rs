//! User-visible text, Bahasa Indonesia first and English second.
//!
//! Every message a screen may show is produced here, in both languages, so the apps
//! never assemble sentences themselves.

/// The languages the app speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Id,
    En,
}

/// A text in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub id: String,
    pub en: String,
}

impl Text {
    pub fn new(id: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            id: id.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        }
    }
}

/// The name of an input field as a form labels it, for validation messages.
pub fn field_label(field: &str) -> Text {
    let (id, en) = match field {
        "name" => ("Nama produk", "Product name"),
        "description" => ("Deskripsi", "Description"),
        "price" | "price_idr" => ("Harga", "Price"),
        "seller_id" => ("Penjual", "Seller"),
        "unit" => ("Satuan", "Unit"),
        "category" => ("Kategori", "Category"),
        "preorder_days" => ("Lama pre-order (hari)", "Pre-order days"),
        "options" => ("Pilihan varian", "Variant options"),
        "variants" => ("Varian", "Variants"),
        "variant" => ("Varian", "Variant"),
        "photos" => ("Foto", "Photos"),
        "photo" => ("Foto", "Photo"),
        "quantity" => ("Jumlah", "Quantity"),
        "weight_grams" => ("Berat (gram)", "Weight (grams)"),
        "checkout_id" => ("Checkout", "Checkout"),
        "buyer_id" => ("Pembeli", "Buyer"),
        "order_id" => ("Pesanan", "Order"),
        "actor_id" => ("Akun", "Account"),
        "sellers" => ("Penjual", "Sellers"),
        "address" => ("Alamat pengiriman", "Delivery address"),
        "cart" => (
            "Keranjang (periksa harga dan stok)",
            "Cart (check prices and stock)",
        ),
        "shipping" => ("Kurir", "Courier"),
        "payment" => ("Pembayaran", "Payment"),
        "resi" => ("Nomor resi", "Tracking number"),
        "reason" => ("Alasan", "Reason"),
        "discount" => ("Potongan", "Discount"),
        "ongkir" => ("Ongkir", "Shipping cost"),
        "recipient" => ("Nama penerima", "Recipient"),
        "address_phone" => ("Nomor HP penerima", "Recipient's phone"),
        "street" => ("Alamat (jalan, RT/RW)", "Street (with RT/RW)"),
        "kelurahan" => ("Kelurahan/desa", "Kelurahan/village"),
        "kecamatan" => ("Kecamatan", "District"),
        "kabupaten" => ("Kabupaten/kota", "Regency/city"),
        "provinsi" => ("Provinsi", "Province"),
        "kode_pos" => ("Kode pos", "Postal code"),
        "address_notes" => ("Catatan alamat", "Address notes"),
        "note" => ("Catatan", "Note"),
        "product_id" => ("Produk", "Product"),
        "variant_id" => ("Varian", "Variant"),
        "line_id" => ("Barang di keranjang", "Cart item"),
        "file" => ("Berkas", "File"),
        "group_ids" => ("Grup", "Groups"),
        "group_id" => ("Grup", "Group"),
        "account_id" => ("Anggota", "Member"),
        "group_name" => ("Nama grup", "Group name"),
        "account_name" => ("Nama", "Name"),
        "query" => ("Kata pencarian", "Search words"),
        "stock" => ("Stok", "Stock"),
        "phone" => ("Nomor HP", "Phone number"),
        "id" => ("ID", "ID"),
        "limit" => ("Jumlah per halaman", "Page size"),
        "cursor" => ("Halaman", "Page"),
        "data_dir" => ("Folder data", "Data folder"),
        other => (other, other),
    };
    Text::new(id, en)
}
